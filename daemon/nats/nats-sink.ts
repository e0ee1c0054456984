// The JetStream sink: a cursor over the event log (store/log-cursors.ts) that publishes each committed event, in
// order, and moves only after JetStream acknowledged it. While the broker is down or slow the events wait in the
// log; memory stays bounded by one page read from the store and a bounded number of publishes in flight.
import type { SinkState, SinkStatus } from '../../shared/status.ts';
import type { Timers, TimerHandle } from '../clock.ts';
import type { EventHub } from '../hub.ts';
import type { Logger } from '../log.ts';
import type { EventStore, RawEvent } from '../store/events.ts';
import type { LogCursors } from '../store/log-cursors.ts';
import { backoffDelay, type BackoffPolicy } from '../upstream/backoff.ts';
import { authSecrets, natsAuth } from './auth.ts';
import { describeNatsError } from './errors.ts';
import { openJetStreamLink, type JetStreamLink, type LinkOptions, type OutgoingMessage } from './jetstream-link.ts';
import type { StreamOptions } from './stream-plan.ts';
import { eventSubject, messageId } from './subjects.ts';

export interface NatsSinkConfig extends StreamOptions {
  /** Without credentials. */
  url: string;
  user: string | null;
  /** A .creds file's text, a password or a token: from a file or the keychain. */
  credentials: string | null;
}

export interface NatsSinkDeps {
  events: EventStore;
  /** The sinks' cursors (owner `sink`). */
  cursors: LogCursors;
  hub: EventHub;
  engine: string;
  timers: Timers;
  backoff: BackoffPolicy;
  log: Logger;
  /** Called when what status() says has changed. */
  onStatus: () => void;
  /** How long a connect, a stream call or a publish may take; 10 s by default. */
  timeoutMs?: number;
}

/** Events read from the store at a time. */
export const PAGE_SIZE = 256;
/** Publishes awaiting their ack at a time; the cursor is written once per such batch. */
export const MAX_IN_FLIGHT = 64;
const DEFAULT_TIMEOUT_MS = 10_000;

export const natsSinkId = (stream: string): string => `nats:${stream}`;

export class NatsSink {
  readonly id: string;
  readonly #config: NatsSinkConfig;
  readonly #deps: NatsSinkDeps;
  readonly #link: LinkOptions;
  #position: number;
  #state: SinkState = 'stopped';
  #since: number;
  #lastError: SinkStatus['lastError'] = null;
  #nextRetryAt: number | null = null;
  #lastPublishedAt: number | null = null;
  #duplicates = 0;
  #duplicateWindowSeconds: number | null = null;
  #connection: JetStreamLink | null = null;
  #streamReady = false;
  #abort: AbortController | null = null;
  #loop: Promise<void> | null = null;
  #pending = true;
  #wakeUp: (() => void) | null = null;
  #unsubscribe: (() => void) | null = null;

  constructor(config: NatsSinkConfig, deps: NatsSinkDeps) {
    this.#config = config;
    this.#deps = deps;
    this.id = natsSinkId(config.stream);
    const auth = natsAuth(config.user, config.credentials);
    for (const secret of authSecrets(auth)) deps.log.redact(secret);
    this.#link = { ...config, auth, engine: deps.engine, timeoutMs: deps.timeoutMs ?? DEFAULT_TIMEOUT_MS };
    // Like a forward target, a new sink starts at the present: what was committed before stays local history.
    this.#position = deps.cursors.open(this.id, deps.events.latestSeq());
    this.#since = deps.timers.now();
  }

  /** The last seq JetStream acknowledged: retention keeps every event after it. */
  get position(): number {
    return this.#position;
  }

  start(): void {
    if (this.#loop !== null) return;
    const abort = new AbortController();
    this.#abort = abort;
    this.#unsubscribe = this.#deps.hub.onCommitted(() => this.#wake());
    this.#loop = this.#run(abort.signal);
  }

  /** Stops at once: publishes in flight are abandoned, and sent again (and deduplicated) on the next start. */
  async stop(): Promise<void> {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#abort?.abort();
    this.#wakeUp?.();
    await this.#connection?.close().catch(() => {});
    await this.#loop;
    this.#loop = null;
    this.#connection = null;
    this.#enter('stopped');
  }

  status(): SinkStatus {
    const { url, stream, subjectPrefix } = this.#config;
    return {
      kind: 'nats',
      id: this.id,
      url,
      stream,
      subjectPrefix,
      state: this.#state,
      since: iso(this.#since),
      position: this.#position,
      lag: Math.max(0, this.#deps.events.latestSeq() - this.#position),
      published: this.#deps.cursors.counted(this.id),
      duplicates: this.#duplicates,
      lastPublishedAt: this.#lastPublishedAt === null ? null : iso(this.#lastPublishedAt),
      lastError: this.#lastError,
      nextRetryAt: this.#state === 'backoff' && this.#nextRetryAt !== null ? iso(this.#nextRetryAt) : null,
      duplicateWindowSeconds: this.#duplicateWindowSeconds,
    };
  }

  #wake(): void {
    this.#pending = true;
    this.#wakeUp?.();
  }

  async #run(signal: AbortSignal): Promise<void> {
    let attempt = 0;
    while (!signal.aborted) {
      try {
        const link = await this.#connected(signal);
        if (link === null) return;
        const more = await this.#publishPage(link, signal);
        if (attempt > 0) this.#deps.log.info(`publishing to NATS ${this.#config.url} again`);
        attempt = 0;
        this.#enter('live');
        if (!more) await this.#idle();
      } catch (error) {
        if (signal.aborted) return;
        attempt += 1;
        this.#failed(error);
        const delay = Math.max(1, backoffDelay(attempt, this.#deps.backoff));
        this.#nextRetryAt = this.#deps.timers.now() + delay;
        this.#enter('backoff');
        // A link that is reconnecting by itself ends the wait as soon as it is back.
        const link = this.#connection;
        await this.#sleep(delay, signal, link !== null && !link.connected && !link.closed ? link : null);
      }
    }
  }

  /** The open link with the stream checked, opening and checking as needed; null when stopped meanwhile. */
  async #connected(signal: AbortSignal): Promise<JetStreamLink | null> {
    if (this.#connection === null || this.#connection.closed) {
      this.#connection = null;
      this.#streamReady = false;
      this.#enter('connecting');
      const link = await openJetStreamLink(this.#link);
      if (signal.aborted) {
        await link.close();
        return null;
      }
      this.#connection = link;
    }
    if (!this.#connection.connected) throw new LinkDownError(this.#config.url);
    if (!this.#streamReady) {
      const facts = await this.#connection.ensureStream();
      if (facts.created) this.#deps.log.info(`created the JetStream stream ${this.#config.stream} for ${this.#config.subjectPrefix}.>`);
      this.#duplicateWindowSeconds = facts.duplicateWindowSeconds;
      this.#streamReady = true;
    }
    return this.#connection;
  }

  /** Publishes one page after the cursor; true when the page was full (more may follow at once). */
  async #publishPage(link: JetStreamLink, signal: AbortSignal): Promise<boolean> {
    // Cleared before the read: a commit after it sets it again, so the loop never waits past an unread event.
    this.#pending = false;
    const page = this.#deps.events.rawAfter(this.#position, PAGE_SIZE);
    for (let start = 0; start < page.length && !signal.aborted; start += MAX_IN_FLIGHT) {
      const batch = page.slice(start, start + MAX_IN_FLIGHT);
      // One connection keeps publish order; the acks are awaited together, and the cursor moves over the acked prefix.
      // A dropped connection ends the wait at once: whatever of the batch the stream got is deduplicated when sent again.
      const results = await untilDown(link, this.#config.url, Promise.allSettled(batch.map((event) => link.publish(this.#message(event)))));
      const failedAt = results.findIndex((result) => result.status === 'rejected');
      const acked = failedAt < 0 ? results.length : failedAt;
      if (acked > 0) this.#acked(batch[acked - 1]!.seq, results.slice(0, acked));
      if (failedAt >= 0) throw (results[failedAt] as PromiseRejectedResult).reason;
    }
    return page.length === PAGE_SIZE;
  }

  #acked(seq: number, results: PromiseSettledResult<{ duplicate: boolean }>[]): void {
    this.#deps.cursors.advance(this.id, seq, results.length);
    this.#position = seq;
    this.#duplicates += results.filter((result) => result.status === 'fulfilled' && result.value.duplicate).length;
    this.#lastPublishedAt = this.#deps.timers.now();
    this.#deps.onStatus();
  }

  #message(event: RawEvent): OutgoingMessage {
    return {
      subject: eventSubject(this.#config.subjectPrefix, event.account, event.inboxId, event.eventType),
      payload: event.payload,
      msgId: messageId(event.account, event),
    };
  }

  #failed(error: unknown): void {
    const message = describeNatsError(error, this.#config);
    if (this.#lastError?.message !== message) this.#deps.log.warn(`publishing to NATS failed (will retry): ${message}`);
    this.#lastError = { at: iso(this.#deps.timers.now()), message };
    // A failure may mean the stream went away or changed: check it again before the next publish.
    this.#streamReady = false;
  }

  async #idle(): Promise<void> {
    if (this.#pending) return;
    await new Promise<void>((resolve) => (this.#wakeUp = resolve));
    this.#wakeUp = null;
  }

  /** Waits `ms`, ending early on stop or, given a reconnecting link, when it is back or gone. */
  #sleep(ms: number, signal: AbortSignal, link: JetStreamLink | null): Promise<void> {
    const { timers } = this.#deps;
    return new Promise((resolve) => {
      let handle: TimerHandle | null = null;
      let unsubscribe = (): void => {};
      const done = (): void => {
        if (handle !== null) timers.clearTimeout(handle);
        signal.removeEventListener('abort', done);
        unsubscribe();
        resolve();
      };
      handle = timers.setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      if (link !== null) {
        unsubscribe = link.onChange(() => {
          if (link.connected || link.closed) done();
        });
      }
    });
  }

  #enter(state: SinkState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#since = this.#deps.timers.now();
    this.#deps.onStatus();
  }
}

/** `work`, or a LinkDownError as soon as the link drops; the listener goes either way, so nothing piles up per batch. */
async function untilDown<T>(link: JetStreamLink, url: string, work: Promise<T>): Promise<T> {
  if (!link.connected) throw new LinkDownError(url);
  let unsubscribe = (): void => {};
  const dropped = new Promise<never>((_, reject) => {
    unsubscribe = link.onChange(() => {
      if (!link.connected) reject(new LinkDownError(url));
    });
  });
  try {
    return await Promise.race([work, dropped]);
  } finally {
    unsubscribe();
  }
}

/** The connection dropped and the client is reconnecting. */
class LinkDownError extends Error {
  constructor(url: string) {
    super(`the connection to ${url} dropped; reconnecting`);
    // Read as a connection failure by describeNatsError.
    this.name = 'ConnectionError';
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
