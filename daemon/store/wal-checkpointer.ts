// Copies the WAL back into the database file when the store goes quiet, instead of inside whichever commit
// happened to cross SQLite's threshold: a checkpoint costs tens of milliseconds (page copies and two fsyncs),
// which the relay's latency and a burst's throughput paid in full. The cap that bounds the WAL under writes that
// never pause is set in db.ts; this only keeps the WAL short the rest of the time.
import type { Database } from './db.ts';
import type { TimerHandle, Timers } from '../clock.ts';

export interface CheckpointPolicy {
  /** A checkpoint runs once nothing has been written for this long. */
  idleMs: number;
}

export const DEFAULT_CHECKPOINTS: CheckpointPolicy = { idleMs: 250 };

export class WalCheckpointer {
  readonly #db: Database;
  readonly #policy: CheckpointPolicy;
  readonly #timers: Timers;
  readonly #onError: (error: unknown) => void;
  readonly #changes: () => number;
  #timer: TimerHandle | null = null;
  #seenChanges = 0;
  #stopped = false;

  constructor(db: Database, policy: CheckpointPolicy, timers: Timers, onError: (error: unknown) => void) {
    this.#db = db;
    this.#policy = policy;
    this.#timers = timers;
    this.#onError = onError;
    // Rows this connection has written: every writer of the store (events, cursors, consumers, forwarding, the
    // index) shares it, so an unchanged count means the store was quiet.
    const totalChanges = db.prepare<[], number>('SELECT total_changes()').pluck();
    this.#changes = () => totalChanges.get()!;
  }

  /** Called after a commit: arms the idle check unless it is already waiting. */
  noteWrite(): void {
    if (this.#stopped || this.#timer !== null) return;
    this.#seenChanges = this.#changes();
    this.#arm();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== null) this.#timers.clearTimeout(this.#timer);
    this.#timer = null;
  }

  #arm(): void {
    this.#timer = this.#timers.setTimeout(() => this.#check(), this.#policy.idleMs);
  }

  #check(): void {
    this.#timer = null;
    const changes = this.#changes();
    if (changes !== this.#seenChanges) {
      this.#seenChanges = changes;
      this.#arm();
      return;
    }
    try {
      // PASSIVE never waits for readers or writers: whatever it cannot copy now, the next quiet moment will.
      this.#db.pragma('wal_checkpoint(PASSIVE)');
    } catch (error) {
      this.#onError(error);
    }
  }
}
