// A sliding-window limiter for client frames: providers close connections that exceed their budget
// (OpenMail: 30 messages per 10 s), so we wait rather than get cut off.

export class SlidingWindow {
  readonly #max: number;
  readonly #perMs: number;
  readonly #sent: number[] = [];

  constructor(max: number, perMs: number) {
    this.#max = max;
    this.#perMs = perMs;
  }

  /** Milliseconds until one more frame may go out (0 = now). */
  waitMs(now: number): number {
    while (this.#sent.length > 0 && this.#sent[0]! <= now - this.#perMs) this.#sent.shift();
    if (this.#sent.length < this.#max) return 0;
    return this.#sent[0]! + this.#perMs - now;
  }

  record(now: number): void {
    this.#sent.push(now);
  }
}
