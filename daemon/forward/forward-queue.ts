// The durable side of forwarding: one cursor per target over the event store (the last seq handled) and the
// dead letters. Events are not copied here; a dead letter keeps its body so re-delivery outlives retention.
import type { Statement } from 'better-sqlite3';
import { migrate, type Database } from '../store/db.ts';
import { LogCursors } from '../store/log-cursors.ts';
import type { DeadLetter, DeadLetterStatus } from '../../shared/status.ts';

// Append-only, like every migration list: a shipped step is never edited.
const FORWARD_SCHEMA: readonly string[] = [
  `
  CREATE TABLE forward_cursors (
    target_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    delivered INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE forward_dead_letters (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    target_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    event_id TEXT NOT NULL,
    body TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    last_error TEXT,
    at INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('dead', 'retrying'))
  );
  CREATE INDEX forward_dead_letters_target ON forward_dead_letters (target_id, status, id);
  `,
  // The cursors moved to the store's one implementation of a durable cursor over the event log.
  `
  INSERT INTO log_cursors (owner, id, seq, counted, updated_at)
  SELECT 'forward', target_id, seq, delivered, updated_at FROM forward_cursors;
  DROP TABLE forward_cursors;
  `,
];

export type { DeadLetter, DeadLetterStatus };

/** A dead letter with the exact body to send again. */
export interface Redelivery extends DeadLetter {
  body: string;
}

export interface Failure {
  seq: number;
  eventId: string;
  body: string;
  attempts: number;
  lastError: string;
}

interface DeadLetterRow {
  id: number;
  target_id: string;
  seq: number;
  event_id: string;
  body: string;
  attempts: number;
  last_error: string | null;
  at: number;
  status: DeadLetterStatus;
}

export class ForwardQueue {
  readonly #db: Database;
  readonly #now: () => number;
  readonly #cursors: LogCursors;
  readonly #insertDead: Statement<[string, number, string, string, number, string, number]>;
  readonly #insertRetry: Statement<[string, number, string, string, number]>;
  readonly #list: Statement<[{ target: string | null; status: DeadLetterStatus | null }], DeadLetterRow>;
  readonly #retrying: Statement<[string, number], DeadLetterRow>;
  readonly #get: Statement<[number], DeadLetterRow>;
  readonly #markRetrying: Statement<[number]>;
  readonly #remove: Statement<[number]>;
  readonly #deadAgain: Statement<[number, string, number, number]>;
  readonly #count: Statement<[string, DeadLetterStatus], { n: number }>;

  constructor(db: Database, now: () => number = Date.now) {
    // First: the forward steps move existing cursors into its table.
    this.#cursors = new LogCursors(db, 'forward', now);
    migrate(db, 'forward', FORWARD_SCHEMA);
    this.#db = db;
    this.#now = now;
    this.#insertDead = db.prepare(`
      INSERT INTO forward_dead_letters (target_id, seq, event_id, body, attempts, last_error, at, status)
      VALUES (?, ?, ?, ?, ?, ?, ?, 'dead')`);
    this.#insertRetry = db.prepare(`
      INSERT INTO forward_dead_letters (target_id, seq, event_id, body, attempts, last_error, at, status)
      VALUES (?, ?, ?, ?, 0, NULL, ?, 'retrying')`);
    this.#list = db.prepare(`
      SELECT * FROM forward_dead_letters
      WHERE (@target IS NULL OR target_id = @target) AND (@status IS NULL OR status = @status) ORDER BY id`);
    this.#retrying = db.prepare(
      "SELECT * FROM forward_dead_letters WHERE target_id = ? AND status = 'retrying' ORDER BY id LIMIT ?",
    );
    this.#get = db.prepare('SELECT * FROM forward_dead_letters WHERE id = ?');
    this.#markRetrying = db.prepare("UPDATE forward_dead_letters SET status = 'retrying' WHERE id = ?");
    this.#remove = db.prepare('DELETE FROM forward_dead_letters WHERE id = ?');
    this.#deadAgain = db.prepare(
      "UPDATE forward_dead_letters SET status = 'dead', attempts = attempts + ?, last_error = ?, at = ? WHERE id = ?",
    );
    this.#count = db.prepare('SELECT count(*) AS n FROM forward_dead_letters WHERE target_id = ? AND status = ?');
  }

  /** The target's cursor, created at `startSeq` the first time the target is seen. */
  openCursor(targetId: string, startSeq: number): number {
    return this.#cursors.open(targetId, startSeq);
  }

  cursor(targetId: string): number | null {
    return this.#cursors.position(targetId);
  }

  delivered(targetId: string): number {
    return this.#cursors.counted(targetId);
  }

  /** Moves the cursor past `seq`: delivered, or not wanted by the target. */
  advance(targetId: string, seq: number, delivered: boolean): void {
    this.#cursors.advance(targetId, seq, delivered ? 1 : 0);
  }

  /** Like advance(), for several deliveries saved at once: the cursor moves to `seq` and `delivered` more are counted. */
  saveProgress(targetId: string, seq: number, delivered: number): void {
    this.#cursors.advance(targetId, seq, delivered);
  }

  /**
   * Records the failure and moves the cursor past it (to `advanceTo`, short of it when an older delivery is still in
   * flight) in one transaction, so a crash keeps both or neither.
   */
  deadLetter(targetId: string, failure: Failure, advanceTo: number = failure.seq): void {
    this.#db.transaction(() => {
      const at = this.#now();
      this.#insertDead.run(targetId, failure.seq, failure.eventId, failure.body, failure.attempts, failure.lastError, at);
      this.#cursors.advance(targetId, advanceTo);
    })();
  }

  list(filter: { targetId?: string; status?: DeadLetterStatus } = {}): DeadLetter[] {
    return this.#list.all({ target: filter.targetId ?? null, status: filter.status ?? null }).map(toDeadLetter);
  }

  count(targetId: string, status: DeadLetterStatus): number {
    return this.#count.get(targetId, status)?.n ?? 0;
  }

  get(id: number): DeadLetter | null {
    const row = this.#get.get(id);
    return row ? toDeadLetter(row) : null;
  }

  /** Queues a dead letter for re-delivery by its target's worker. */
  markRetrying(id: number): void {
    this.#markRetrying.run(id);
  }

  /** Queues a stored event to be sent to a target again, outside its cursor's order; it dead-letters if that fails. */
  enqueueRedelivery(targetId: string, delivery: { seq: number; eventId: string; body: string }): void {
    this.#insertRetry.run(targetId, delivery.seq, delivery.eventId, delivery.body, this.#now());
  }

  /** The oldest dead letters queued for re-delivery, at most `limit` of them. */
  retrying(targetId: string, limit: number): Redelivery[] {
    return this.#retrying.all(targetId, limit).map(toRedelivery);
  }

  /** A re-delivered dead letter is gone from the table and counts as delivered. */
  redelivered(letter: Redelivery): void {
    this.#db.transaction(() => {
      this.#remove.run(letter.id);
      this.#cursors.count(letter.targetId);
    })();
  }

  failedAgain(id: number, attempts: number, lastError: string): void {
    this.#deadAgain.run(attempts, lastError, this.#now(), id);
  }
}

function toRedelivery(row: DeadLetterRow): Redelivery {
  return { ...toDeadLetter(row), body: row.body };
}

function toDeadLetter(row: DeadLetterRow): DeadLetter {
  return {
    id: row.id,
    targetId: row.target_id,
    seq: row.seq,
    eventId: row.event_id,
    attempts: row.attempts,
    lastError: row.last_error,
    at: new Date(row.at).toISOString(),
    status: row.status,
  };
}
