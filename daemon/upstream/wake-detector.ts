// Headless wake detection. Without Electron's powerMonitor, a suspended process (laptop sleep, SIGSTOP)
// notices only that its timers fired late. Wall-clock time is used on purpose: the monotonic clock stops
// during system sleep on Linux and macOS, so it cannot see the gap.
import type { TimerHandle, Timers } from '../clock.ts';

export interface WakeDetectorOptions {
  /** How often to look at the clock. */
  tickMs: number;
  /** A tick this much later than due means we were suspended. */
  gapMs: number;
}

export const DEFAULT_WAKE_DETECTOR: WakeDetectorOptions = { tickMs: 1_000, gapMs: 4_000 };

export class WakeDetector {
  readonly #options: WakeDetectorOptions;
  readonly #timers: Timers;
  readonly #onWake: (sleptMs: number) => void;
  #handle: TimerHandle | null = null;
  #last = 0;

  constructor(options: WakeDetectorOptions, timers: Timers, onWake: (sleptMs: number) => void) {
    this.#options = options;
    this.#timers = timers;
    this.#onWake = onWake;
  }

  start(): void {
    this.#last = this.#timers.now();
    this.#schedule();
  }

  stop(): void {
    if (this.#handle !== null) this.#timers.clearTimeout(this.#handle);
    this.#handle = null;
  }

  #schedule(): void {
    this.#handle = this.#timers.setTimeout(() => {
      const now = this.#timers.now();
      const late = now - this.#last - this.#options.tickMs;
      this.#last = now;
      this.#schedule();
      if (late >= this.#options.gapMs) this.#onWake(late);
    }, this.#options.tickMs);
  }
}
