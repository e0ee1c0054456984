// A clock the test moves by hand, for the pure timing logic (backoff, heartbeat, wake detection).
// Socket behaviour is tested against real sockets elsewhere; this only replaces the passage of time.
import type { TimerHandle, Timers } from '../../daemon/clock.ts';

interface Pending {
  at: number;
  fn: () => void;
  id: number;
}

export class ManualClock implements Timers {
  #now: number;
  #nextId = 1;
  #pending: Pending[] = [];

  constructor(start = 1_700_000_000_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.#nextId++;
    this.#pending.push({ at: this.#now + Math.max(0, ms), fn, id });
    return id as unknown as TimerHandle;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#pending = this.#pending.filter((p) => p.id !== (handle as unknown as number));
  }

  /** Moves time forward, firing due timers in order (timers scheduled while advancing fire too). */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      this.#pending.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.#pending[0];
      if (!next || next.at > target) break;
      this.#pending.shift();
      this.#now = Math.max(this.#now, next.at);
      next.fn();
    }
    this.#now = target;
  }

  /** Jumps the wall clock without firing anything, as a suspended process experiences it. */
  jump(ms: number): void {
    this.#now += ms;
  }

  get pendingCount(): number {
    return this.#pending.length;
  }
}
