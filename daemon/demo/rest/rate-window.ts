// A sliding-window rate limit, as providers count "N requests a minute": each allowed request is remembered for
// the window, and a refused one is told how long until the oldest leaves it (the Retry-After a provider sends).
export class RateWindow {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #times: number[] = [];

  constructor(limit: number, windowMs: number, now: () => number = Date.now) {
    this.#limit = limit;
    this.#windowMs = windowMs;
    this.#now = now;
  }

  /** Seconds to wait before a slot frees up, without taking one; 0 when one is free. */
  wait(): number {
    const now = this.#now();
    while (this.#times.length > 0 && this.#times[0]! <= now - this.#windowMs) this.#times.shift();
    if (this.#times.length < this.#limit) return 0;
    return Math.max(1, Math.ceil((this.#times[0]! + this.#windowMs - now) / 1000));
  }

  /** Takes a slot when one is free and answers 0; otherwise answers the seconds to wait and takes nothing. */
  take(): number {
    const wait = this.wait();
    if (wait === 0) this.#times.push(this.#now());
    return wait;
  }
}
