// The one waiter: the first committed mail that matches a filter, counted from where the caller says (now, after
// a seq, or after the last mail this agent was given), answered the moment the hub publishes it, never by polling.
// The MCP wait tools and `GET /v1/wait` (`mailbridge wait`) both call it. Time comes from a Timers, cancellation
// from an AbortSignal, and what a principal may not see never ends a wait.
import { createHash } from 'node:crypto';
import type { EventRecord, StoredEvent } from '../../shared/event.ts';
import type { Principal } from '../../shared/principal.ts';
import { canSee } from '../access/visibility.ts';
import { systemTimers, type TimerHandle, type Timers } from '../clock.ts';
import type { EventHub } from '../hub.ts';
import type { ConsumerStore } from '../store/consumers.ts';
import type { EventStore } from '../store/events.ts';
import { matchesAccount, matchesEvent, type MailFilter } from './mail-filter.ts';

/**
 * `now`: only mail committed after the call. `after`: mail after that seq. `unseen`: mail after the last one a
 * wait gave this principal, or after `fallback` (e.g. where its session began) when none ever was.
 */
export type WaitStart = { kind: 'now' } | { kind: 'after'; seq: number } | { kind: 'unseen'; fallback: number };

export interface WaitSpec<T> {
  principal: Principal;
  filter: MailFilter;
  start: WaitStart;
  timeoutMs: number;
  /** What the caller takes from a matching mail; null passes it over and the wait goes on (a mail without a code). */
  pick: (record: EventRecord) => T | null;
  signal?: AbortSignal;
  /** Called at once, then every `everyMs` while the wait lasts. */
  progress?: { everyMs: number; report: (elapsedMs: number) => void };
}

/** `nextSince`: the last seq the wait looked at; a next wait from there misses nothing and repeats nothing. */
export type WaitOutcome<T> =
  | { kind: 'found'; record: EventRecord; picked: T; nextSince: number; waitedMs: number }
  | { kind: 'timeout'; nextSince: number; waitedMs: number }
  | { kind: 'cancelled'; nextSince: number; waitedMs: number };

export interface WaiterStores {
  events: Pick<EventStore, 'after' | 'get' | 'latestSeq'>;
  hub: EventHub;
  consumers: Pick<ConsumerStore, 'get' | 'ack'>;
}

/** Store rows read per step when a wait starts in the past; the event loop gets a turn between steps. */
const CATCH_UP_PAGE = 200;
const CONSUMER_NAME = /^[A-Za-z0-9._-]{1,58}$/;

/**
 * The named consumer that remembers what waits gave a principal (`since: "unseen"`). It exists only once the
 * principal has used `unseen`, since a consumer holds back retention; DELETE /v1/consumers/<name> forgets it.
 */
export function unseenConsumer(principal: Principal): string {
  const name = CONSUMER_NAME.test(principal.name) ? principal.name : createHash('sha256').update(principal.name).digest('hex').slice(0, 16);
  return `waits.${name}`;
}

export class MailWaiter {
  readonly #stores: WaiterStores;
  readonly #timers: Timers;
  /** How to end each wait still running (as cancelled), for close(). */
  readonly #running = new Set<() => void>();

  constructor(stores: WaiterStores, timers: Timers = systemTimers) {
    this.#stores = stores;
    this.#timers = timers;
  }

  /** Waits still running. */
  get size(): number {
    return this.#running.size;
  }

  /** Ends every running wait as cancelled (the engine is stopping). */
  close(): void {
    for (const cancel of [...this.#running]) cancel();
  }

  wait<T>(spec: WaitSpec<T>): Promise<WaitOutcome<T>> {
    const { events, hub, consumers } = this.#stores;
    const timers = this.#timers;
    const startedAt = timers.now();
    const consumer = unseenConsumer(spec.principal);
    const known = consumers.get(consumer);
    let position = startPosition(spec.start, events.latestSeq(), known);
    // Until the store has been read up to its end, the hub's batches are read from the store instead.
    let live = false;
    let done = false;
    let timeout: TimerHandle | null = null;
    let progress: TimerHandle | null = null;

    return new Promise<WaitOutcome<T>>((resolve, reject) => {
      const finish = (outcome: WaitOutcome<T> | Error): void => {
        if (done) return;
        done = true;
        unsubscribe();
        if (timeout !== null) timers.clearTimeout(timeout);
        if (progress !== null) timers.clearTimeout(progress);
        spec.signal?.removeEventListener('abort', cancel);
        this.#running.delete(cancel);
        if (outcome instanceof Error) {
          reject(outcome);
          return;
        }
        // Mail a wait gave counts as given from then on, once the principal keeps such a record.
        if (outcome.kind === 'found' && (known !== null || spec.start.kind === 'unseen')) consumers.ack(consumer, outcome.record.seq);
        resolve(outcome);
      };
      const ended = (kind: 'timeout' | 'cancelled'): WaitOutcome<T> => ({ kind, nextSince: position, waitedMs: timers.now() - startedAt });
      const cancel = (): void => finish(ended('cancelled'));

      /** True when the record ended the wait. */
      const consider = (record: EventRecord): boolean => {
        if (!matchesAccount(spec.filter, record.account)) return false;
        const picked = spec.pick(record);
        if (picked === null) return false;
        finish({ kind: 'found', record, picked, nextSince: record.seq, waitedMs: timers.now() - startedAt });
        return true;
      };
      const visibleMatch = (event: StoredEvent): boolean => canSee(spec.principal, event) && matchesEvent(spec.filter, event);

      const unsubscribe = hub.onCommitted((batch) => {
        if (done || !live) return;
        try {
          for (const event of batch) {
            if (event.seq <= position) continue;
            position = event.seq;
            if (!visibleMatch(event)) continue;
            const record = events.get(event.seq);
            if (record !== null && consider(record)) return;
          }
        } catch (error) {
          finish(error as Error);
        }
      });

      const catchUp = async (): Promise<void> => {
        const { inboxId, eventType, account } = spec.filter;
        for (;;) {
          const page = events.after(position, CATCH_UP_PAGE, { inboxId, eventType, account });
          for (const event of page) {
            position = event.seq;
            if (!visibleMatch(event)) continue;
            const record = events.get(event.seq);
            if (record !== null && consider(record)) return;
          }
          if (page.length < CATCH_UP_PAGE) {
            // Read to the end in this very turn of the event loop: from here on the hub brings every commit.
            position = Math.max(position, events.latestSeq());
            live = true;
            return;
          }
          await new Promise((next) => setImmediate(next));
          if (done) return;
        }
      };

      if (spec.signal?.aborted) {
        cancel();
        return;
      }
      spec.signal?.addEventListener('abort', cancel, { once: true });
      this.#running.add(cancel);
      timeout = timers.setTimeout(() => finish(ended('timeout')), spec.timeoutMs);
      if (spec.progress !== undefined) {
        const { everyMs, report } = spec.progress;
        const tick = (): void => {
          if (done) return;
          report(timers.now() - startedAt);
          progress = timers.setTimeout(tick, everyMs);
        };
        tick();
      }
      catchUp().catch((error: unknown) => finish(error as Error));
    });
  }
}

function startPosition(start: WaitStart, latestSeq: number, lastGiven: number | null): number {
  switch (start.kind) {
    case 'now':
      return latestSeq;
    case 'after':
      return start.seq;
    case 'unseen':
      return lastGiven ?? Math.min(start.fallback, latestSeq);
  }
}
