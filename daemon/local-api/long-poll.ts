// Parked long-polls. However many are waiting, they share ONE hub listener and ONE timer armed for the
// earliest deadline: idle waiters cost a small object each and no CPU. A commit answers every waiter whose
// filter it matches, from the published batch itself, without touching the store.
import type { ServerResponse } from 'node:http';
import type { StoredEvent } from '../../shared/event.ts';
import type { Principal } from '../../shared/principal.ts';
import type { EventHub } from '../hub.ts';
import { DeadlineHeap } from './deadline-heap.ts';
import type { StreamFilter } from './event-filter.ts';
import { selectEvents } from './event-filter.ts';
import { eventsResponseJson } from './event-json.ts';
import { sendError, sendJsonText, type HttpError } from './http-json.ts';

export interface ParkRequest {
  after: number;
  limit: number;
  filter: StreamFilter;
  /** Who waits: only mail it may see answers it. */
  principal: Principal;
  waitMs: number;
}

interface Waiter {
  res: ServerResponse | null;
  after: number;
  limit: number;
  filter: StreamFilter;
  principal: Principal;
  deadline: number;
}

// Answered and cancelled waiters stay in the heap until their deadline; past this many it is compacted at once.
const COMPACT_AT = 1024;

export class LongPolls {
  readonly #waiting = new Map<ServerResponse, Waiter>();
  readonly #deadlines = new DeadlineHeap<Waiter>();
  readonly #now: () => number;
  readonly #unsubscribe: () => void;
  /** One shared 'close' listener for every parked response (`this` is the response), not a closure each. */
  readonly #onClientGone: (this: ServerResponse) => void;
  /** Heap entries whose request is already answered or gone. */
  #stale = 0;
  #timer: NodeJS.Timeout | null = null;
  #timerAt = Number.POSITIVE_INFINITY;

  /** `now` is monotonic milliseconds: a wall-clock jump on wake must not expire or extend a wait. */
  constructor(hub: EventHub, now: () => number = () => performance.now()) {
    this.#now = now;
    this.#unsubscribe = hub.onCommitted((events) => this.#deliver(events));
    const polls = this;
    this.#onClientGone = function (this: ServerResponse) {
      polls.#cancel(this);
    };
  }

  get size(): number {
    return this.#waiting.size;
  }

  /** Holds `res` until a matching event is committed or `waitMs` passes. Call only after the store had nothing. */
  park(res: ServerResponse, request: ParkRequest): void {
    const waiter: Waiter = {
      res,
      after: request.after,
      limit: request.limit,
      filter: request.filter,
      principal: request.principal,
      deadline: this.#now() + request.waitMs,
    };
    this.#waiting.set(res, waiter);
    this.#deadlines.push(waiter);
    // `on`, not `once`: `once` would wrap the shared listener in a new closure per request.
    res.on('close', this.#onClientGone);
    this.#arm();
  }

  /** Answers every waiter with an empty page (so a client simply polls again) and stops listening. */
  close(): void {
    this.#unsubscribe();
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#timerAt = Number.POSITIVE_INFINITY;
    for (const waiter of [...this.#waiting.values()]) this.#answer(waiter, []);
    this.#deadlines.clear();
    this.#stale = 0;
  }

  /** Answers every request the agent token `name` is waiting on with `error` (its token was revoked). */
  refuse(name: string, error: HttpError): void {
    for (const [res, waiter] of [...this.#waiting]) {
      if (waiter.principal.owner || waiter.principal.name !== name) continue;
      this.#release(waiter, res);
      this.#noteStale();
      sendError(res, error);
    }
  }

  #deliver(batch: readonly StoredEvent[]): void {
    for (const waiter of this.#waiting.values()) {
      const events = selectEvents(batch, waiter.after, waiter.limit, waiter.filter, waiter.principal);
      if (events.length === 0) continue;
      this.#answer(waiter, events);
      this.#noteStale();
    }
  }

  #answer(waiter: Waiter, events: readonly StoredEvent[]): void {
    const res = waiter.res;
    if (res === null) return;
    this.#release(waiter, res);
    const nextAfter = events.length > 0 ? (events[events.length - 1] as StoredEvent).seq : waiter.after;
    sendJsonText(res, 200, eventsResponseJson(events, nextAfter));
  }

  #cancel(res: ServerResponse): void {
    const waiter = this.#waiting.get(res);
    if (waiter === undefined) return;
    this.#release(waiter, res);
    this.#noteStale();
  }

  #noteStale(): void {
    this.#stale += 1;
    if (this.#stale >= COMPACT_AT && this.#stale > this.#waiting.size) {
      this.#deadlines.retain((entry) => entry.res !== null);
      this.#stale = 0;
    }
  }

  #release(waiter: Waiter, res: ServerResponse): void {
    this.#waiting.delete(res);
    res.off('close', this.#onClientGone);
    waiter.res = null;
  }

  #expire(): void {
    this.#timer = null;
    this.#timerAt = Number.POSITIVE_INFINITY;
    // Timers may fire a hair early; a 1 ms slack avoids re-arming for a sub-millisecond remainder.
    const now = this.#now() + 1;
    for (let top = this.#deadlines.peek(); top !== undefined && top.deadline <= now; top = this.#deadlines.peek()) {
      this.#deadlines.pop();
      if (top.res === null) this.#stale -= 1;
      else this.#answer(top, []);
    }
    this.#arm();
  }

  #arm(): void {
    const next = this.#deadlines.peek();
    if (next === undefined || next.deadline >= this.#timerAt) return;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timerAt = next.deadline;
    this.#timer = setTimeout(() => this.#expire(), Math.max(0, next.deadline - this.#now()));
    // Parked requests hold their sockets open; the timer alone must not keep a stopping process alive.
    this.#timer.unref();
  }
}
