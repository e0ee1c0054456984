// A sliding-window message budget. The upstream connection waits on it so a provider never cuts us off for
// sending too much; the OpenMail protocol servers (local WebSocket, demo) enforce the same budget on clients.

/** At most `messages` in any `perMs` window. */
export interface MessageBudget {
  messages: number;
  perMs: number;
}

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
