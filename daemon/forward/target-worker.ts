// One target's delivery loop over the event store. `strict` order sends one event at a time, each only after the
// previous one was answered (delivered or dead-lettered); `unordered` keeps up to `concurrency` deliveries in
// flight, so an event that keeps failing holds one slot while the rest flow past it. Either way the cursor (in
// SQLite) moves only past events that are finished, to just below the oldest one still in flight, so a crash
// sends again what was in flight and nothing is skipped. Progress is saved at most every 50 ms, not once per
// delivery (a write each, a tenth of a core at a thousand deliveries a second): a crash sends again what was
// delivered in the last moments before it, which receivers deduplicate on X-Event-Id.
import type { ForwardTargetStatus } from '../../shared/status.ts';
import type { EventFilter, EventStore, RawEvent } from '../store/events.ts';
import { firstDelay, nextRetryDelay, retryPolicy, type RetryPolicy } from './backoff-schedule.ts';
import type { ForwardQueue, Redelivery } from './forward-queue.ts';
import { displayUrl, type CheckedForwardTarget } from './forward-target.ts';
import { WebhookClient, type WebhookResult } from './post-webhook.ts';

export interface WorkerDeps {
  events: EventStore;
  queue: ForwardQueue;
  /** Every target on this policy instead of its own delivery settings (an explicit schedule: tests). */
  policy: RetryPolicy | null;
  timeoutMs: number;
  now: () => number;
  random: () => number;
  onError: (error: unknown) => void;
}

const PAGE_SIZE = 200;
const COUNT_PAGE_SIZE = 1000;
const SAVE_EVERY_MS = 50;
// After an unexpected failure (say, the database is busy) the loop pauses rather than spinning.
const ERROR_PAUSE_MS = 1000;

type Outcome = WebhookResult & { attempts: number };

export class TargetWorker {
  #target: CheckedForwardTarget;
  readonly #deps: WorkerDeps;
  #client: WebhookClient;
  /** Every wanted event up to here is delivered or dead-lettered; SQLite has it within SAVE_EVERY_MS. */
  #cursor: number;
  /** Deliveries counted since progress was last saved, and whether the cursor moved since. */
  #unsaved = { delivered: 0, moved: false };
  #saveTimer: NodeJS.Timeout | null = null;
  /** Every event up to here has been handed to a delivery or passed over; at or above the cursor. */
  #dispatched: number;
  /** Events being delivered (retries included), by seq. */
  readonly #inFlight = new Map<number, Promise<void>>();
  /** Dead letters being sent again, by id. */
  readonly #lettersInFlight = new Map<number, Promise<void>>();
  #abort: AbortController | null = null;
  #loop: Promise<void> | null = null;
  #pending = true;
  #wakeUp: (() => void) | null = null;
  #lastResult: ForwardTargetStatus['lastResult'] = null;
  /** Wanted events in (dispatched, upTo], kept incrementally so status() does not rescan the backlog each time. */
  #backlog = { upTo: 0, count: 0 };
  /** Wanted events already read from the store, in order, not yet dispatched. */
  #ahead: RawEvent[] = [];

  constructor(target: CheckedForwardTarget, deps: WorkerDeps) {
    this.#target = target;
    this.#deps = deps;
    this.#client = new WebhookClient(this.#slots());
    // A new target starts at the present: it receives events from now on, not the whole history.
    this.#cursor = deps.queue.openCursor(target.id, deps.events.latestSeq());
    this.#dispatched = this.#cursor;
    this.#backlog = { upTo: this.#cursor, count: 0 };
  }

  get target(): CheckedForwardTarget {
    return this.#target;
  }

  get cursor(): number {
    return this.#cursor;
  }

  start(): void {
    if (this.#loop !== null) return;
    const abort = new AbortController();
    this.#abort = abort;
    this.#pending = true;
    // What was in flight when it last stopped is sent again: reading resumes at the durable cursor.
    this.#dispatched = this.#cursor;
    this.#ahead = [];
    this.#backlog = { upTo: this.#cursor, count: 0 };
    // stop() closed the connections of the previous run.
    this.#client.close();
    this.#client = new WebhookClient(this.#slots());
    this.#loop = this.#run(abort.signal);
  }

  /** Stops at once; attempts in flight are abandoned and their events sent again on the next start. */
  async stop(): Promise<void> {
    this.#abort?.abort();
    this.#wakeUp?.();
    await this.#loop;
    this.#loop = null;
    this.#client.close();
    this.#save();
  }

  wake(): void {
    this.#pending = true;
    this.#wakeUp?.();
  }

  update(target: CheckedForwardTarget): void {
    const previous = this.#target;
    const filtersChanged =
      target.inboxIds.join('\n') !== previous.inboxIds.join('\n') || target.eventTypes.join('\n') !== previous.eventTypes.join('\n');
    this.#target = target;
    if (filtersChanged) {
      this.#backlog = { upTo: this.#dispatched, count: 0 };
      this.#ahead = [];
    }
    if (this.#slotsFor(target) !== this.#slotsFor(previous)) {
      // Deliveries in flight finish on the old connections; new ones use the new limit.
      const old = this.#client;
      this.#client = new WebhookClient(this.#slots());
      void Promise.all([...this.#inFlight.values(), ...this.#lettersInFlight.values()]).then(() => old.close());
    }
    this.wake();
  }

  status(): ForwardTargetStatus {
    const { id, url, inboxIds, eventTypes, delivery } = this.#target;
    const { queue } = this.#deps;
    const retrying = queue.count(id, 'retrying');
    return {
      id,
      url: displayUrl(url),
      inboxIds: [...inboxIds],
      eventTypes: [...eventTypes],
      // Dead letters being sent again are still 'retrying' rows: counted once.
      queued: this.#countBacklog() + this.#inFlight.size + retrying,
      deadLetters: queue.count(id, 'dead'),
      delivered: queue.delivered(id) + this.#unsaved.delivered,
      lastResult: this.#lastResult,
      delivery: { ...delivery },
      inFlight: this.#inFlight.size + this.#lettersInFlight.size,
    };
  }

  #slots(): number {
    return this.#slotsFor(this.#target);
  }

  #slotsFor(target: CheckedForwardTarget): number {
    return target.delivery.order === 'strict' ? 1 : target.delivery.concurrency;
  }

  #policy(): RetryPolicy {
    return this.#deps.policy ?? retryPolicy(this.#target.delivery);
  }

  async #run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      if (!this.#pending) {
        await new Promise<void>((resolve) => (this.#wakeUp = resolve));
        this.#wakeUp = null;
        continue;
      }
      this.#pending = false;
      try {
        this.#fill(signal);
      } catch (error) {
        this.#deps.onError(error);
        this.#pending = true;
        await sleep(ERROR_PAUSE_MS, signal);
      }
    }
    await Promise.all([...this.#inFlight.values(), ...this.#lettersInFlight.values()]);
  }

  /** Starts deliveries until every slot is busy or nothing is left: dead letters asked for again first, then the log. */
  #fill(signal: AbortSignal): void {
    const slots = this.#slots();
    while (!signal.aborted && this.#inFlight.size + this.#lettersInFlight.size < slots) {
      const letter = this.#nextLetter();
      if (letter !== null) {
        this.#track(this.#lettersInFlight, letter.id, this.#redeliver(letter, signal));
        continue;
      }
      const next = this.#nextWanted();
      if (next === null) return;
      this.#track(this.#inFlight, next.seq, this.#deliver(next, signal));
    }
  }

  /** When a delivery finishes, its slot is free: the loop looks for more. */
  #track(inFlight: Map<number, Promise<void>>, key: number, delivery: Promise<void>): void {
    const tracked = delivery
      .catch((error: unknown) => {
        this.#deps.onError(error);
        this.#pending = true;
      })
      .finally(() => {
        inFlight.delete(key);
        this.wake();
      });
    inFlight.set(key, tracked);
  }

  #nextLetter(): Redelivery | null {
    const { queue } = this.#deps;
    const letters = queue.retrying(this.#target.id, this.#lettersInFlight.size + 1);
    return letters.find((letter) => !this.#lettersInFlight.has(letter.id)) ?? null;
  }

  /** The next event after the last dispatched one that this target wants; events it does not want are passed over. */
  #nextWanted(): RawEvent | null {
    const { events } = this.#deps;
    // A page read once serves the deliveries that follow: one store read per page, not per event.
    while (this.#ahead.length > 0 && this.#ahead[0]!.seq <= this.#dispatched) this.#ahead.shift();
    for (;;) {
      const ahead = this.#ahead.shift();
      if (ahead !== undefined) {
        this.#dispatched = ahead.seq;
        if (ahead.seq <= this.#backlog.upTo) this.#backlog.count = Math.max(0, this.#backlog.count - 1);
        return ahead;
      }
      // Read before the page: an event committed in between has a higher seq and is never skipped unseen.
      const head = events.latestSeq();
      const page = events.rawAfter(this.#dispatched, PAGE_SIZE, storeFilter(this.#target));
      this.#ahead = page.filter((event) => wants(this.#target, event));
      if (this.#ahead.length > 0) continue;
      const skipTo = page.at(-1)?.seq ?? head;
      if (skipTo > this.#dispatched) {
        this.#dispatched = skipTo;
        this.#persistCursor(false);
      }
      if (page.length === 0) return null;
    }
  }

  async #deliver(event: RawEvent, signal: AbortSignal): Promise<void> {
    const { seq, eventId, payload: body } = event;
    const outcome = await this.#attempt(eventId, body, signal);
    // Once stopping, nothing moves the cursor: whatever was in flight is sent again on the next start.
    if (outcome.outcome === 'stopped' || signal.aborted) return;
    // Settled: no longer holds the cursor back.
    this.#inFlight.delete(seq);
    if (outcome.outcome === 'delivered') {
      this.#persistCursor(true);
      return;
    }
    const failure = { seq, eventId, body, attempts: outcome.attempts, lastError: outcome.detail };
    const to = this.#settledUpTo();
    this.#deps.queue.deadLetter(this.#target.id, failure, to);
    this.#cursor = Math.max(this.#cursor, to);
  }

  async #redeliver(letter: Redelivery, signal: AbortSignal): Promise<void> {
    const outcome = await this.#attempt(letter.eventId, letter.body, signal);
    if (signal.aborted) return;
    if (outcome.outcome === 'delivered') this.#deps.queue.redelivered(letter);
    else if (outcome.outcome === 'failed') this.#deps.queue.failedAgain(letter.id, outcome.attempts, outcome.detail);
  }

  /** Everything below the oldest delivery still in flight is finished. */
  #settledUpTo(): number {
    let oldest = Number.POSITIVE_INFINITY;
    for (const seq of this.#inFlight.keys()) oldest = Math.min(oldest, seq);
    return oldest === Number.POSITIVE_INFINITY ? this.#dispatched : oldest - 1;
  }

  /** Moves the cursor as far as finished deliveries allow, counting one delivery when `delivered`; saved soon. */
  #persistCursor(delivered: boolean): void {
    const to = this.#settledUpTo();
    if (to <= this.#cursor && !delivered) return;
    if (to > this.#cursor) {
      this.#cursor = to;
      this.#unsaved.moved = true;
    }
    if (delivered) this.#unsaved.delivered += 1;
    if (this.#saveTimer !== null) return;
    this.#saveTimer = setTimeout(() => {
      this.#saveTimer = null;
      this.#save();
    }, SAVE_EVERY_MS);
    this.#saveTimer.unref();
  }

  #save(): void {
    if (this.#saveTimer !== null) clearTimeout(this.#saveTimer);
    this.#saveTimer = null;
    const { delivered, moved } = this.#unsaved;
    if (delivered === 0 && !moved) return;
    try {
      this.#deps.queue.saveProgress(this.#target.id, this.#cursor, delivered);
      this.#unsaved = { delivered: 0, moved: false };
    } catch (error) {
      // Kept for the next save: the store may be busy or full for a moment.
      this.#deps.onError(error);
    }
  }

  /** Attempts as the retry policy allows, until one is acknowledged with a 2xx. */
  async #attempt(eventId: string, body: string, signal: AbortSignal): Promise<Outcome> {
    const { timeoutMs, now, random } = this.#deps;
    const policy = this.#policy();
    let failed = 0;
    let delay: number | null = firstDelay(policy);
    let startedAt: number | null = null;
    let outcome: Outcome = { outcome: 'failed', detail: 'not attempted', attempts: 0 };
    while (delay !== null) {
      if (!(await sleep(delay, signal))) return { outcome: 'stopped', detail: 'forwarding stopped', attempts: failed };
      startedAt ??= now();
      // Read per attempt: a target's URL or secret may change between retries.
      const { url, secret } = this.#target;
      const result = await this.#client.post({ url, secret, eventId, body, nowSeconds: Math.floor(now() / 1000), timeoutMs, signal });
      if (result.outcome === 'stopped') return { ...result, attempts: failed };
      this.#lastResult = { at: new Date(now()).toISOString(), ok: result.outcome === 'delivered', detail: result.detail };
      if (result.outcome === 'delivered') return { ...result, attempts: failed + 1 };
      failed += 1;
      outcome = { ...result, attempts: failed };
      delay = nextRetryDelay(policy, failed, now() - startedAt, random);
    }
    return outcome;
  }

  /** Wanted events not yet dispatched, counting only what arrived since the last count. */
  #countBacklog(): number {
    const { events } = this.#deps;
    if (this.#backlog.upTo < this.#dispatched) this.#backlog = { upTo: this.#dispatched, count: 0 };
    const head = events.latestSeq();
    let { upTo, count } = this.#backlog;
    while (upTo < head) {
      const page = events.rawAfter(upTo, COUNT_PAGE_SIZE, storeFilter(this.#target));
      if (page.length === 0) break;
      count += page.filter((event) => wants(this.#target, event)).length;
      upTo = page.at(-1)!.seq;
    }
    this.#backlog = { upTo: Math.max(upTo, head), count };
    return count;
  }
}

function wants(target: CheckedForwardTarget, event: RawEvent): boolean {
  const inboxOk = target.inboxIds.length === 0 || (event.inboxId !== null && target.inboxIds.includes(event.inboxId));
  return inboxOk && (target.eventTypes.length === 0 || target.eventTypes.includes(event.eventType));
}

/** The store filters on one value per column; a single-valued target filter is pushed down to SQLite. */
function storeFilter(target: CheckedForwardTarget): EventFilter {
  const filter: EventFilter = {};
  if (target.inboxIds.length === 1) filter.inboxId = target.inboxIds[0];
  if (target.eventTypes.length === 1) filter.eventType = target.eventTypes[0];
  return filter;
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    // Forwarding never keeps the process alive by itself; the daemon's servers do.
    timer.unref();
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
