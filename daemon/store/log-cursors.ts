// A durable cursor over the event log: one position (the last seq handled) per reader, kept in SQLite and only
// ever moved forward. Forward targets and the JetStream sink are such readers; each kind of reader is an `owner`
// with its own ids, and each counts what it handed on beside its position.
import type { Statement } from 'better-sqlite3';
import { migrate, type Database } from './db.ts';

// Append-only, like every migration list: a shipped step is never edited.
const LOG_CURSORS_SCHEMA: readonly string[] = [
  `
  CREATE TABLE log_cursors (
    owner TEXT NOT NULL,
    id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    counted INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (owner, id)
  );
  `,
];

const OWNER = /^[a-z][a-z0-9_-]{0,31}$/;

export class LogCursors {
  readonly owner: string;
  readonly #now: () => number;
  readonly #get: Statement<[string, string], { seq: number; counted: number }>;
  readonly #init: Statement<[string, string, number, number]>;
  readonly #advance: Statement<[number, number, number, string, string]>;
  readonly #count: Statement<[number, number, string, string]>;

  /** The cursors of one kind of reader (`forward`, `sink`), in the store's own table. */
  constructor(db: Database, owner: string, now: () => number = Date.now) {
    if (!OWNER.test(owner)) throw new TypeError(`Invalid cursor owner: ${JSON.stringify(owner)}`);
    migrate(db, 'log_cursors', LOG_CURSORS_SCHEMA);
    this.owner = owner;
    this.#now = now;
    this.#get = db.prepare('SELECT seq, counted FROM log_cursors WHERE owner = ? AND id = ?');
    this.#init = db.prepare(
      'INSERT INTO log_cursors (owner, id, seq, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (owner, id) DO NOTHING',
    );
    // max() keeps a cursor from ever moving back, whatever order a caller reports in.
    this.#advance = db.prepare(
      'UPDATE log_cursors SET seq = max(seq, ?), counted = counted + ?, updated_at = ? WHERE owner = ? AND id = ?',
    );
    this.#count = db.prepare('UPDATE log_cursors SET counted = counted + ?, updated_at = ? WHERE owner = ? AND id = ?');
  }

  /** The cursor's position, created at `startSeq` the first time `id` is seen. */
  open(id: string, startSeq: number): number {
    this.#init.run(this.owner, id, startSeq, this.#now());
    return this.position(id) ?? startSeq;
  }

  /** The last seq handled, or null for a cursor never opened. */
  position(id: string): number | null {
    return this.#get.get(this.owner, id)?.seq ?? null;
  }

  /** How many events the reader counted as handed on over the cursor's life. */
  counted(id: string): number {
    return this.#get.get(this.owner, id)?.counted ?? 0;
  }

  /** Moves the cursor past `seq` and adds `counted` to its count, in one write. */
  advance(id: string, seq: number, counted = 0): void {
    this.#advance.run(seq, counted, this.#now(), this.owner, id);
  }

  /** Counts events handed on outside the cursor's order (a re-delivery) without moving it. */
  count(id: string, counted = 1): void {
    this.#count.run(counted, this.#now(), this.owner, id);
  }
}
