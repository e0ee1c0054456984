// Turns the OS's power and network signals into engine wake-ups. A laptop lid opening can deliver `resume`
// twice and `unlock-screen` right after: the first signal wakes the engine at once (every second counts
// for the reconnect), the echoes inside the window are dropped.

export const WAKE_DEBOUNCE_MS = 2_000;

export class WakeSignals {
  readonly #debounceMs: number;
  readonly #now: () => number;
  readonly #wake: (reason: string) => void;
  #suspended = false;
  #online: boolean | null = null;
  #lastWakeAt = Number.NEGATIVE_INFINITY;

  constructor(debounceMs: number, now: () => number, wake: (reason: string) => void) {
    this.#debounceMs = debounceMs;
    this.#now = now;
    this.#wake = wake;
  }

  /** The machine is going to sleep: nothing wakes the engine until it is back. */
  suspend(): void {
    this.#suspended = true;
  }

  /** `resume` or `unlock-screen`. */
  resume(reason: string): void {
    this.#suspended = false;
    this.#fire(reason);
  }

  /** The latest connectivity reading; only a return from offline wakes the engine. */
  online(isOnline: boolean): void {
    const was = this.#online;
    this.#online = isOnline;
    if (isOnline && was === false) this.#fire('the network is back');
  }

  #fire(reason: string): void {
    if (this.#suspended) return;
    const now = this.#now();
    if (now - this.#lastWakeAt < this.#debounceMs) return;
    this.#lastWakeAt = now;
    this.#wake(reason);
  }
}
