// Gives memory back to the operating system once the engine has gone quiet. Starting the engine compiles a few
// hundred modules and a burst allocates fast; V8 keeps the heap it grew for that (a young generation grown to
// 16 MB, freed pages pooled for reuse) long after, and its own memory reducer returns little of it. Once things
// are quiet, one memory-reducing collection (V8's "last resort" full collection, some 50 ms) returns those pages:
// measured by bench f, about 25 MB of an idle engine's resident memory. It runs once after start and then only
// after the heap has grown by some megabytes, so a trickle of mail never pays for it.
import v8 from 'node:v8';
import vm from 'node:vm';
import type { TimerHandle, Timers } from './clock.ts';

export interface IdleMemoryPolicy {
  /** The first collection, once start-up is over. */
  afterStartMs: number;
  /** Later ones wait for this long without a commit. */
  quietMs: number;
  /** ...and for the heap to have grown this much since the last one. */
  minGrowthBytes: number;
}

export const DEFAULT_IDLE_MEMORY: IdleMemoryPolicy = { afterStartMs: 5_000, quietMs: 30_000, minGrowthBytes: 8 * 1024 * 1024 };

export class IdleMemory {
  readonly #policy: IdleMemoryPolicy;
  readonly #timers: Timers;
  readonly #heapBytes: () => number;
  readonly #collect: () => void;
  #timer: TimerHandle | null = null;
  #busy = false;
  #afterLast: number | null = null;
  #stopped = false;

  /** `collect` runs the reducing collection; `heapBytes` says how big the heap is now. */
  constructor(policy: IdleMemoryPolicy, timers: Timers, heapBytes: () => number, collect: () => void) {
    this.#policy = policy;
    this.#timers = timers;
    this.#heapBytes = heapBytes;
    this.#collect = collect;
  }

  start(): void {
    this.#arm(this.#policy.afterStartMs);
  }

  /** Called after every commit: the quiet period starts again. */
  noteActivity(): void {
    if (this.#timer === null) this.#arm(this.#policy.quietMs);
    else this.#busy = true;
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== null) this.#timers.clearTimeout(this.#timer);
    this.#timer = null;
  }

  #arm(ms: number): void {
    if (this.#stopped || this.#timer !== null) return;
    this.#timer = this.#timers.setTimeout(() => this.#check(), ms);
  }

  #check(): void {
    this.#timer = null;
    if (this.#busy) {
      // Something was committed since the timer was set: wait for a whole quiet period.
      this.#busy = false;
      this.#arm(this.#policy.quietMs);
      return;
    }
    if (this.#afterLast !== null && this.#heapBytes() - this.#afterLast < this.#policy.minGrowthBytes) return;
    this.#collect();
    this.#afterLast = this.#heapBytes();
  }
}

/** The heap V8 holds now, used or not. */
export function heapBytes(): number {
  return v8.getHeapStatistics().total_heap_size;
}

/**
 * V8's memory-reducing full collection, which returns the pages it frees to the operating system; null where the
 * runtime does not offer it. `--expose-gc` is on only while one new context is created, so no `gc` global appears
 * anywhere else.
 */
export function reducingCollection(): (() => void) | null {
  let gc: unknown;
  try {
    v8.setFlagsFromString('--expose-gc');
    gc = vm.runInNewContext('gc');
  } catch {
    return null;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
  if (typeof gc !== 'function') return null;
  return () => (gc as (options: object) => void)({ type: 'major', execution: 'sync', flavor: 'last-resort' });
}
