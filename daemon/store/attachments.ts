// What the attachment store holds, in SQLite beside the events: one row per attachment of a committed mail (its
// state, the file that holds it, why it could not be had), and one per kept file. What is still to fetch is known from
// here, never from memory, so a restart picks up where the last run stopped.
//
// Rows follow the event log: a pass after the commit (never inside it) reads the events committed since the last pass
// and adds a row for each of their attachments, and records how far it got, as the search index does. A row goes with
// its event (a foreign key, so retention takes it along); a file goes once no row names it.
import type { Statement, Transaction } from 'better-sqlite3';
import type { MailEvent } from '../../shared/event.ts';
import { migrate, type Database } from './db.ts';

// Append-only, like every migration list: a shipped step is never edited.
const ATTACHMENTS_SCHEMA: readonly string[] = [
  `
  CREATE TABLE attachments (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL REFERENCES events (seq) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    -- pending: to fetch (next_try_at says when); kept: sha256 names its file; failed: not tried again by itself;
    -- evicted: its file went to keep the store under its total limit.
    state TEXT NOT NULL CHECK (state IN ('pending', 'kept', 'failed', 'evicted')),
    sha256 TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_try_at INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX attachments_seq ON attachments (seq);
  CREATE INDEX attachments_due ON attachments (state, next_try_at);
  CREATE INDEX attachments_sha256 ON attachments (sha256) WHERE sha256 IS NOT NULL;

  CREATE TABLE attachments_files (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    stored_at INTEGER NOT NULL
  );

  -- Events up to this seq have their rows. Mail stored before attachments were kept has no local_url: it starts at
  -- the present.
  CREATE TABLE attachments_progress (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    scanned_seq INTEGER NOT NULL
  );
  INSERT INTO attachments_progress (id, scanned_seq)
  VALUES (1, coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0));
  CREATE INDEX attachments_files_age ON attachments_files (stored_at);
  `,
];

export type AttachmentState = 'pending' | 'kept' | 'failed' | 'evicted';

/** An attachment row with the event it belongs to. */
export interface AttachmentRow {
  id: string;
  seq: number;
  index: number;
  state: AttachmentState;
  sha256: string | null;
  attempts: number;
  lastError: string | null;
  account: string;
  /** When the event was committed (epoch ms): how fresh the link it carried is. */
  storedAt: number;
  event: MailEvent;
}

export interface AttachmentCounts {
  kept: number;
  pending: number;
  failed: number;
  evicted: number;
  /** The kept files' bytes, each file once. */
  bytes: number;
}

/** Names each attachment of a committed event: the id its `local_url` carries. */
export type AttachmentIdOf = (account: string, eventId: string, index: number) => string;

interface JoinedRow {
  id: string;
  seq: number;
  idx: number;
  state: AttachmentState;
  sha256: string | null;
  attempts: number;
  last_error: string | null;
  account: string;
  stored_at: number;
  payload: string;
}

// Inside a JSON string every quote is escaped, so only an attachments list of the event's own can match.
const WITH_ATTACHMENTS = `instr(payload, '"attachments":[{') > 0`;

export class AttachmentStore {
  readonly #db: Database;
  readonly #now: () => number;
  readonly #idOf: AttachmentIdOf;
  readonly #scanned: Statement<[], { seq: number }>;
  readonly #latest: Statement<[], { seq: number }>;
  readonly #withAttachments: Statement<[number, number], { seq: number; account: string; event_id: string; payload: string }>;
  readonly #insert: Statement<[string, number, number, number]>;
  readonly #advance: Statement<[number, number]>;
  readonly #row: Statement<[string], JoinedRow>;
  readonly #due: Statement<[number, number], { id: string }>;
  readonly #nextDue: Statement<[], { at: number | null }>;
  readonly #counts: Statement<[], { state: AttachmentState; n: number }>;
  readonly #bytes: Statement<[], { bytes: number }>;
  readonly #fileSize: Statement<[string], { size: number }>;
  readonly #register: Transaction<(upTo: number) => number>;

  constructor(db: Database, idOf: AttachmentIdOf, now: () => number = Date.now) {
    migrate(db, 'attachments', ATTACHMENTS_SCHEMA);
    this.#db = db;
    this.#now = now;
    this.#idOf = idOf;
    this.#scanned = db.prepare('SELECT scanned_seq AS seq FROM attachments_progress');
    this.#latest = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'events'");
    this.#withAttachments = db.prepare(
      `SELECT seq, account, event_id, payload FROM events WHERE seq > ? AND seq <= ? AND ${WITH_ATTACHMENTS} ORDER BY seq`,
    );
    this.#insert = db.prepare(
      "INSERT INTO attachments (id, seq, idx, state, updated_at) VALUES (?, ?, ?, 'pending', ?) ON CONFLICT (id) DO NOTHING",
    );
    this.#advance = db.prepare('UPDATE attachments_progress SET scanned_seq = ? WHERE scanned_seq < ?');
    this.#row = db.prepare(`
      SELECT a.id, a.seq, a.idx, a.state, a.sha256, a.attempts, a.last_error, e.account, e.stored_at, e.payload
      FROM attachments a JOIN events e ON e.seq = a.seq WHERE a.id = ?`);
    this.#due = db.prepare("SELECT id FROM attachments WHERE state = 'pending' AND next_try_at <= ? ORDER BY next_try_at, seq LIMIT ?");
    this.#nextDue = db.prepare("SELECT min(next_try_at) AS at FROM attachments WHERE state = 'pending'");
    this.#counts = db.prepare('SELECT state, count(*) AS n FROM attachments GROUP BY state');
    this.#bytes = db.prepare('SELECT coalesce(sum(size), 0) AS bytes FROM attachments_files');
    this.#fileSize = db.prepare('SELECT size FROM attachments_files WHERE sha256 = ?');
    this.#register = db.transaction((upTo: number) => {
      const from = this.scannedSeq();
      let added = 0;
      for (const row of this.#withAttachments.all(from, upTo)) {
        const event = JSON.parse(row.payload) as MailEvent;
        const count = event.message?.attachments?.length ?? 0;
        for (let index = 0; index < count; index++) {
          added += this.#insert.run(this.#idOf(row.account, row.event_id, index), row.seq, index, this.#now()).changes;
        }
      }
      this.#advance.run(upTo, upTo);
      return added;
    });
  }

  /** Events up to this seq have their attachment rows. */
  scannedSeq(): number {
    return this.#scanned.get()?.seq ?? 0;
  }

  /**
   * Adds the rows of up to `maxEvents` events committed since the last pass, in one transaction. Returns how many rows
   * it added and whether committed events are left for another pass.
   */
  registerPending(maxEvents: number): { added: number; more: boolean } {
    const latest = this.#latest.get()?.seq ?? 0;
    const from = this.scannedSeq();
    if (latest <= from) return { added: 0, more: false };
    const upTo = Math.min(latest, from + maxEvents);
    return { added: this.#register.immediate(upTo), more: upTo < latest };
  }

  row(id: string): AttachmentRow | null {
    const row = this.#row.get(id);
    if (row === undefined) return null;
    return {
      id: row.id,
      seq: row.seq,
      index: row.idx,
      state: row.state,
      sha256: row.sha256,
      attempts: row.attempts,
      lastError: row.last_error,
      account: row.account,
      storedAt: row.stored_at,
      event: JSON.parse(row.payload) as MailEvent,
    };
  }

  /** Pending rows whose time has come, the longest waiting first. */
  due(limit: number, at: number = this.#now()): string[] {
    return this.#due.all(at, limit).map((row) => row.id);
  }

  /** When the next pending row is due (epoch ms), or null when none is pending. */
  nextDueAt(): number | null {
    return this.#nextDue.get()?.at ?? null;
  }

  /** The row is kept in the file `sha256`, `size` bytes long. */
  keep(id: string, sha256: string, size: number): void {
    const now = this.#now();
    this.#db.transaction(() => {
      this.#db.prepare('INSERT INTO attachments_files (sha256, size, stored_at) VALUES (?, ?, ?) ON CONFLICT (sha256) DO NOTHING').run(sha256, size, now);
      this.#db
        .prepare("UPDATE attachments SET state = 'kept', sha256 = ?, last_error = NULL, updated_at = ? WHERE id = ?")
        .run(sha256, now, id);
    })();
  }

  /** A failed try: again at `retryAt` (epoch ms), or never by itself when null (`failed`). */
  fail(id: string, message: string, retryAt: number | null): void {
    this.#db
      .prepare(
        `UPDATE attachments SET attempts = attempts + 1, last_error = ?, updated_at = ?,
           state = CASE WHEN ? IS NULL THEN 'failed' ELSE 'pending' END, next_try_at = coalesce(?, next_try_at)
         WHERE id = ? AND state <> 'kept'`,
      )
      .run(message, this.#now(), retryAt, retryAt, id);
  }

  /** A kept row whose file turned out missing or damaged: to fetch again, at once. */
  forgetFile(id: string): void {
    this.#db.prepare("UPDATE attachments SET state = 'pending', sha256 = NULL, next_try_at = 0, updated_at = ? WHERE id = ?").run(this.#now(), id);
  }

  /** A file found damaged: every row it kept is to fetch again, at once, and the file is forgotten. Returns the rows. */
  dropFile(sha256: string): string[] {
    return this.#db.transaction(() => {
      const ids = this.#db
        .prepare<[string], { id: string }>('SELECT id FROM attachments WHERE sha256 = ?')
        .all(sha256)
        .map((row) => row.id);
      this.#db.prepare("UPDATE attachments SET state = 'pending', sha256 = NULL, next_try_at = 0, updated_at = ? WHERE sha256 = ?").run(this.#now(), sha256);
      this.#db.prepare('DELETE FROM attachments_files WHERE sha256 = ?').run(sha256);
      return ids;
    })();
  }

  /** Every pending row is due now (after a wake, the network may be back). */
  retryNow(): number {
    return this.#db
      .prepare("UPDATE attachments SET next_try_at = ? WHERE state = 'pending' AND next_try_at > ?")
      .run(this.#now(), this.#now()).changes;
  }

  /**
   * Takes files out, the longest kept first, until the rest fit in `maxBytes`; never one named in `keep`. Their rows
   * become `evicted`. Returns the files to delete (the rows are already updated).
   */
  evict(maxBytes: number, keep: ReadonlySet<string>): string[] {
    return this.#db.transaction(() => {
      let total = this.#bytes.get()?.bytes ?? 0;
      if (total <= maxBytes) return [];
      const evicted: string[] = [];
      const now = this.#now();
      const oldest = this.#db.prepare<[], { sha256: string; size: number }>('SELECT sha256, size FROM attachments_files ORDER BY stored_at, sha256');
      const evictRows = this.#db.prepare("UPDATE attachments SET state = 'evicted', sha256 = NULL, updated_at = ? WHERE sha256 = ?");
      const removeFile = this.#db.prepare('DELETE FROM attachments_files WHERE sha256 = ?');
      for (const file of oldest.all()) {
        if (total <= maxBytes) break;
        if (keep.has(file.sha256)) continue;
        evictRows.run(now, file.sha256);
        removeFile.run(file.sha256);
        total -= file.size;
        evicted.push(file.sha256);
      }
      return evicted;
    })();
  }

  /** Files no row names any more (their mail went with retention): removed from the table and returned for deletion. */
  unreferencedFiles(): string[] {
    return this.#db.transaction(() => {
      const orphans = this.#db
        .prepare<[], { sha256: string }>(
          'SELECT sha256 FROM attachments_files f WHERE NOT EXISTS (SELECT 1 FROM attachments a WHERE a.sha256 = f.sha256)',
        )
        .all()
        .map((row) => row.sha256);
      const remove = this.#db.prepare('DELETE FROM attachments_files WHERE sha256 = ?');
      for (const sha256 of orphans) remove.run(sha256);
      return orphans;
    })();
  }

  /** Whether the table knows the file (a file on disk it does not know is left over from a crash). */
  knowsFile(sha256: string): boolean {
    return this.#fileSize.get(sha256) !== undefined;
  }

  counts(): AttachmentCounts {
    const counts: AttachmentCounts = { kept: 0, pending: 0, failed: 0, evicted: 0, bytes: this.#bytes.get()?.bytes ?? 0 };
    for (const { state, n } of this.#counts.all()) counts[state] = n;
    return counts;
  }
}
