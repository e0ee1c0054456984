// When one account's catch-up runs: at once when asked (a reconnect without replay, an unknown cursor, a wake),
// again right after a run that was asked for while it ran, again soon when a run asks for it, every `intervalMs`
// as the last net, and after a failure with exponential backoff (at least as long as a 429 asked). A rejected key waits for the next reason
// to try instead of retrying. One run at a time. Pure apart from the injected clock and the run itself.
import type { TimerHandle, Timers } from '../clock.ts';
import { backoffDelay } from '../upstream/backoff.ts';
import type { CatchUpPolicy } from './policy.ts';

export type RunVerdict =
  /** Everything was listed back to the window start; with `againInMs`, run once more that much later. */
  | { kind: 'done'; againInMs?: number }
  /** Failed; retry after the backoff, and at least `minDelayMs`. */
  | { kind: 'failed'; minDelayMs: number }
  /** The key was refused: no retry until something asks again (or the interval passes). */
  | { kind: 'needs_key' };

export type SchedulerState = 'idle' | 'running' | 'backoff' | 'needs_key' | 'stopped';

/** Why a run starts: asked for, the interval, the retry after a failure, or the run before asked to run again. */
export type RunCause = 'asked' | 'interval' | 'retry' | 'again';

export interface SchedulerView {
  state: SchedulerState;
  /** When the next run is due (epoch ms): the retry in `backoff`, else the interval's. */
  nextRunAt: number | null;
}

export class CatchUpScheduler {
  readonly #policy: Pick<CatchUpPolicy, 'intervalMs' | 'backoff'>;
  readonly #timers: Timers;
  readonly #random: () => number;
  /** Runs once; `startedAt` is the clock's time when it started. */
  readonly #run: (startedAt: number, cause: RunCause) => Promise<RunVerdict>;
  readonly #onChange: () => void;
  #state: SchedulerState = 'stopped';
  #attempt = 0;
  #again = false;
  #timer: TimerHandle | null = null;
  #nextRunAt: number | null = null;

  constructor(
    policy: Pick<CatchUpPolicy, 'intervalMs' | 'backoff'>,
    timers: Timers,
    random: () => number,
    run: (startedAt: number, cause: RunCause) => Promise<RunVerdict>,
    onChange: () => void,
  ) {
    this.#policy = policy;
    this.#timers = timers;
    this.#random = random;
    this.#run = run;
    this.#onChange = onChange;
  }

  view(): SchedulerView {
    return { state: this.#state, nextRunAt: this.#nextRunAt };
  }

  /** Starts the interval; the first run waits for a reason or for the interval. */
  start(): void {
    if (this.#state !== 'stopped') return;
    this.#state = 'idle';
    this.#arm(this.#policy.intervalMs, 'interval');
    this.#onChange();
  }

  /** Something suggests mail was missed: run now, or right after the run under way. A retry already scheduled
   * after a failure keeps its backoff. */
  request(): void {
    switch (this.#state) {
      case 'running':
        this.#again = true;
        return;
      case 'idle':
      case 'needs_key':
        this.#begin('asked');
        return;
      case 'backoff':
      case 'stopped':
        return;
    }
  }

  /** The key changed: a refused key may work now. */
  keyChanged(): void {
    if (this.#state === 'needs_key' || this.#state === 'backoff') this.#begin('asked');
  }

  stop(): void {
    this.#clear();
    this.#state = 'stopped';
    this.#again = false;
    this.#nextRunAt = null;
  }

  #begin(cause: RunCause): void {
    this.#clear();
    this.#state = 'running';
    this.#again = false;
    this.#nextRunAt = null;
    this.#onChange();
    void this.#run(this.#timers.now(), cause).then(
      (verdict) => this.#finished(verdict),
      () => this.#finished({ kind: 'failed', minDelayMs: 0 }),
    );
  }

  #finished(verdict: RunVerdict): void {
    if (this.#state !== 'running') return;
    if (verdict.kind === 'done') {
      this.#attempt = 0;
      if (this.#again) return this.#begin('asked');
      this.#state = 'idle';
      if (verdict.againInMs !== undefined && verdict.againInMs < this.#policy.intervalMs) this.#arm(verdict.againInMs, 'again');
      else this.#arm(this.#policy.intervalMs, 'interval');
    } else if (verdict.kind === 'needs_key') {
      this.#state = 'needs_key';
      this.#arm(this.#policy.intervalMs, 'interval');
    } else {
      this.#attempt += 1;
      this.#state = 'backoff';
      // Every retry waits at least half the base delay: whatever failed rarely heals at once.
      const delay = Math.max(verdict.minDelayMs, backoffDelay(this.#attempt, this.#policy.backoff, this.#random), this.#policy.backoff.baseMs / 2);
      this.#arm(delay, 'retry');
    }
    this.#onChange();
  }

  #arm(delayMs: number, cause: RunCause): void {
    this.#clear();
    this.#nextRunAt = this.#timers.now() + delayMs;
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = null;
      this.#begin(cause);
    }, delayMs);
  }

  #clear(): void {
    if (this.#timer !== null) this.#timers.clearTimeout(this.#timer);
    this.#timer = null;
  }
}
