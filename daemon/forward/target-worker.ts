// One target's delivery loop: strictly in order, one event at a time, from the target's cursor over the store.
// The cursor moves (in SQLite) only after a 2xx or a dead letter, so a crash mid-delivery sends the event again.
import type { StoredEvent } from '../../shared/event.ts';
import type { ForwardTargetStatus } from '../../shared/status.ts';
import type { EventFilter, EventStore } from '../store/events.ts';
import type { RetrySchedule } from './backoff-schedule.ts';
import type { ForwardQueue, Redelivery } from './forward-queue.ts';
import { displayUrl, targetWants, type ForwardTarget } from './forward-target.ts';
import { postWebhook, type WebhookResult } from './post-webhook.ts';

export interface WorkerDeps {
  events: EventStore;
  queue: ForwardQueue;
  schedule: RetrySchedule;
  timeoutMs: number;
  now: () => number;
  onError: (error: unknown) => void;
}

const PAGE_SIZE = 200;
const COUNT_PAGE_SIZE = 1000;
// After an unexpected failure (say, the database is busy) the loop pauses rather than spinning.
const ERROR_PAUSE_MS = 1000;

type Outcome = WebhookResult & { attempts: number };

export class TargetWorker {
  #target: ForwardTarget;
  readonly #deps: WorkerDeps;
  #cursor: number;
  #abort: AbortController | null = null;
  #loop: Promise<void> | null = null;
  #pending = true;
  #wakeUp: (() => void) | null = null;
  #lastResult: ForwardTargetStatus['lastResult'] = null;
  /** Wanted events in (cursor, upTo], kept incrementally so status() does not rescan the backlog each time. */
  #backlog = { upTo: 0, count: 0 };
  /** Wanted events already read from the store, in order, not yet delivered. */
  #ahead: StoredEvent[] = [];

  constructor(target: ForwardTarget, deps: WorkerDeps) {
    this.#target = target;
    this.#deps = deps;
    // A new target starts at the present: it receives events from now on, not the whole history.
    this.#cursor = deps.queue.openCursor(target.id, deps.events.latestSeq());
    this.#backlog = { upTo: this.#cursor, count: 0 };
  }

  get target(): ForwardTarget {
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
    this.#loop = this.#run(abort.signal);
  }

  /** Stops at once; an attempt in flight is abandoned and its event sent again on the next start. */
  async stop(): Promise<void> {
    this.#abort?.abort();
    this.#wakeUp?.();
    await this.#loop;
    this.#loop = null;
  }

  wake(): void {
    this.#pending = true;
    this.#wakeUp?.();
  }

  update(target: ForwardTarget): void {
    const filtersChanged =
      target.inboxIds.join('\n') !== this.#target.inboxIds.join('\n') ||
      target.eventTypes.join('\n') !== this.#target.eventTypes.join('\n');
    this.#target = target;
    if (filtersChanged) {
      this.#backlog = { upTo: this.#cursor, count: 0 };
      this.#ahead = [];
    }
    this.wake();
  }

  status(): ForwardTargetStatus {
    const { id, url, inboxIds, eventTypes } = this.#target;
    const { queue } = this.#deps;
    return {
      id,
      url: displayUrl(url),
      inboxIds: [...inboxIds],
      eventTypes: [...eventTypes],
      queued: this.#countBacklog() + queue.count(id, 'retrying'),
      deadLetters: queue.count(id, 'dead'),
      delivered: queue.delivered(id),
      lastResult: this.#lastResult,
    };
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
        await this.#drain(signal);
      } catch (error) {
        this.#deps.onError(error);
        this.#pending = true;
        await sleep(ERROR_PAUSE_MS, signal);
      }
    }
  }

  async #drain(signal: AbortSignal): Promise<void> {
    const { queue } = this.#deps;
    while (!signal.aborted) {
      const retry = queue.nextRetry(this.#target.id);
      if (retry !== null) {
        await this.#redeliver(retry, signal);
        continue;
      }
      const next = this.#nextWanted();
      if (next === null) return;
      await this.#deliver(next, signal);
    }
  }

  /** The next event after the cursor this target wants; the cursor skips (durably) past the ones it does not. */
  #nextWanted(): StoredEvent | null {
    const { events, queue } = this.#deps;
    // A page read once serves the deliveries that follow: one store read per page, not per event.
    while (this.#ahead.length > 0 && this.#ahead[0]!.seq <= this.#cursor) this.#ahead.shift();
    if (this.#ahead.length > 0) return this.#ahead.shift()!;
    for (;;) {
      // Read before the page: an event committed in between has a higher seq and is never skipped unseen.
      const head = events.latestSeq();
      const page = events.after(this.#cursor, PAGE_SIZE, storeFilter(this.#target));
      this.#ahead = page.filter((event) => targetWants(this.#target, event));
      if (this.#ahead.length > 0) return this.#ahead.shift()!;
      const skipTo = page.at(-1)?.seq ?? head;
      if (skipTo > this.#cursor) {
        queue.advance(this.#target.id, skipTo, false);
        this.#cursor = skipTo;
      }
      if (page.length === 0) return null;
    }
  }

  async #deliver(event: StoredEvent, signal: AbortSignal): Promise<void> {
    const { seq, ...payload } = event;
    const body = JSON.stringify(payload);
    const outcome = await this.#attempt(event.event_id, body, signal);
    if (outcome.outcome === 'stopped') return;
    const { queue } = this.#deps;
    if (outcome.outcome === 'delivered') queue.advance(this.#target.id, seq, true);
    else queue.deadLetter(this.#target.id, { seq, eventId: event.event_id, body, attempts: outcome.attempts, lastError: outcome.detail });
    this.#cursor = seq;
    if (seq <= this.#backlog.upTo) this.#backlog.count = Math.max(0, this.#backlog.count - 1);
  }

  async #redeliver(letter: Redelivery, signal: AbortSignal): Promise<void> {
    const outcome = await this.#attempt(letter.eventId, letter.body, signal);
    if (outcome.outcome === 'delivered') this.#deps.queue.redelivered(letter);
    else if (outcome.outcome === 'failed') this.#deps.queue.failedAgain(letter.id, outcome.attempts, outcome.detail);
  }

  /** Every attempt the schedule allows, until one is acknowledged with a 2xx. */
  async #attempt(eventId: string, body: string, signal: AbortSignal): Promise<Outcome> {
    const { schedule, timeoutMs, now } = this.#deps;
    let outcome: Outcome = { outcome: 'failed', detail: 'not attempted', attempts: 0 };
    for (const delay of schedule) {
      if (!(await sleep(delay, signal))) return { outcome: 'stopped', detail: 'forwarding stopped', attempts: outcome.attempts };
      // Read per attempt: a target's URL or secret may change between retries.
      const { url, secret } = this.#target;
      const result = await postWebhook({ url, secret, eventId, body, nowSeconds: Math.floor(now() / 1000), timeoutMs, signal });
      if (result.outcome === 'stopped') return { ...result, attempts: outcome.attempts };
      outcome = { ...result, attempts: outcome.attempts + 1 };
      this.#lastResult = { at: new Date(now()).toISOString(), ok: result.outcome === 'delivered', detail: result.detail };
      if (result.outcome === 'delivered') return outcome;
    }
    return outcome;
  }

  /** Wanted events after the cursor, counting only what arrived since the last count. */
  #countBacklog(): number {
    const { events } = this.#deps;
    if (this.#backlog.upTo < this.#cursor) this.#backlog = { upTo: this.#cursor, count: 0 };
    const head = events.latestSeq();
    let { upTo, count } = this.#backlog;
    while (upTo < head) {
      const page = events.after(upTo, COUNT_PAGE_SIZE, storeFilter(this.#target));
      if (page.length === 0) break;
      count += page.filter((event) => targetWants(this.#target, event)).length;
      upTo = page.at(-1)!.seq;
    }
    this.#backlog = { upTo: Math.max(upTo, head), count };
    return count;
  }
}

/** The store filters on one value per column; a single-valued target filter is pushed down to SQLite. */
function storeFilter(target: ForwardTarget): EventFilter {
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
