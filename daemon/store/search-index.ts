// The full-text index over committed events, filled in batches after the commit rather than inside it: the
// per-event FTS5 insert was the largest cost of a commit. `events_fts_progress` records how far it got, so
// search knows what it covers and deletes reach the index only for rows it holds (the trigger in db.ts).
import type { Statement } from 'better-sqlite3';
import type { Database } from './db.ts';

export class SearchIndex {
  readonly #indexedSeq: Statement<[], { seq: number }>;
  readonly #latestSeq: Statement<[], { seq: number }>;
  readonly #batchEnd: Statement<[number, number], { seq: number }>;
  readonly #insert: Statement<[number, number]>;
  readonly #advance: Statement<[number]>;
  readonly #indexPending: (max: number) => number;

  constructor(db: Database) {
    this.#indexedSeq = db.prepare('SELECT indexed_seq AS seq FROM events_fts_progress');
    this.#latestSeq = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'events'");
    this.#batchEnd = db.prepare('SELECT seq FROM events WHERE seq > ? ORDER BY seq LIMIT 1 OFFSET ?');
    this.#insert = db.prepare(`
      INSERT INTO events_fts (rowid, subject, from_addr, to_addr, body_text)
      SELECT seq, subject, from_addr, json_extract(payload, '$.message.to'), json_extract(payload, '$.message.body_text')
      FROM events WHERE seq > ? AND seq <= ?`);
    this.#advance = db.prepare('UPDATE events_fts_progress SET indexed_seq = ?');
    // IMMEDIATE: another process searching the same file (the CLI with the engine stopped) may index too.
    const step = db.transaction((max: number) => {
      const from = this.indexedSeq();
      // The last seq of the next `max` rows, or everything committed when fewer remain (retention may have
      // deleted some unindexed rows: their seqs are covered all the same).
      const upTo = this.#batchEnd.get(from, max - 1)?.seq ?? this.#latest();
      if (upTo <= from) return 0;
      const indexed = this.#insert.run(from, upTo).changes;
      this.#advance.run(upTo);
      return indexed;
    });
    this.#indexPending = (max) => step.immediate(max);
  }

  /** Indexes up to `max` committed events that search does not cover yet; returns how many it indexed. */
  indexPending(max: number): number {
    if (!Number.isSafeInteger(max) || max < 1) throw new RangeError('max must be a positive integer');
    if (this.lag() === 0) return 0;
    return this.#indexPending(max);
  }

  /** Every event with a seq up to this one is searchable. */
  indexedSeq(): number {
    return this.#indexedSeq.get()?.seq ?? 0;
  }

  /** Committed events that search does not cover yet (an upper bound when retention removed some of them). */
  lag(): number {
    return Math.max(0, this.#latest() - this.indexedSeq());
  }

  #latest(): number {
    return this.#latestSeq.get()?.seq ?? 0;
  }
}
