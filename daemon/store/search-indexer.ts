// Keeps the full-text index close behind the commits without doing its work inside them. A pass runs shortly
// after a commit and indexes one batch; while events keep arriving the next batch waits a little, so a burst is
// delivered first and indexed right behind it, and once the store is quiet the rest follows at once.
import type { TimerHandle, Timers } from '../clock.ts';

export interface SearchIndexerPolicy {
  /** How long after a commit a pass starts: the usual delay before an event is searchable. */
  delayMs: number;
  /** Events per pass, in one transaction: a few milliseconds of work. */
  batch: number;
  /** After a failed pass (a full disk), when to try again even if nothing else is committed. */
  retryMs: number;
}

export const DEFAULT_SEARCH_INDEXER: SearchIndexerPolicy = { delayMs: 100, batch: 500, retryMs: 5_000 };

export interface Indexable {
  indexPending(max: number): number;
}

export class SearchIndexer {
  readonly #index: Indexable;
  readonly #policy: SearchIndexerPolicy;
  readonly #timers: Timers;
  readonly #onError: (error: unknown) => void;
  #timer: TimerHandle | null = null;
  #committedSincePass = false;
  #stopped = false;

  constructor(index: Indexable, policy: SearchIndexerPolicy, timers: Timers, onError: (error: unknown) => void) {
    this.#index = index;
    this.#policy = policy;
    this.#timers = timers;
    this.#onError = onError;
  }

  /** Catches up with whatever an earlier run left unindexed. */
  start(): void {
    this.#schedule(0);
  }

  /** Called after every commit that stored events. */
  noteCommitted(): void {
    this.#committedSincePass = true;
    this.#schedule(this.#policy.delayMs);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== null) this.#timers.clearTimeout(this.#timer);
    this.#timer = null;
  }

  #schedule(ms: number): void {
    if (this.#stopped || this.#timer !== null) return;
    this.#timer = this.#timers.setTimeout(() => this.#pass(), ms);
  }

  #pass(): void {
    this.#timer = null;
    const busy = this.#committedSincePass;
    this.#committedSincePass = false;
    let indexed: number;
    try {
      indexed = this.#index.indexPending(this.#policy.batch);
    } catch (error) {
      this.#onError(error);
      this.#schedule(this.#policy.retryMs);
      return;
    }
    // A full batch may have more behind it.
    if (indexed === this.#policy.batch) this.#schedule(busy ? this.#policy.delayMs : 0);
  }
}
