// The one SQLite file behind events, cursors and consumers, and the schema versioning other modules share.
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from './private-files.ts';

export type Database = BetterSqlite3.Database;

const BUSY_TIMEOUT_MS = 5000;
// Checkpoints run when the store is quiet (wal-checkpointer.ts), not inside a commit. SQLite's own automatic
// checkpoint stays only as the cap: a commit that finds this many pages in the WAL checkpoints, so the WAL stays
// bounded even under writes that never pause (64 MiB at the default 4 KiB page).
const WAL_CAP_PAGES = 16_384;
// A WAL that grew during a burst is cut back to this when it next starts over.
const WAL_KEEP_BYTES = 8 * 1024 * 1024;

// Append-only: a shipped step is never edited, a change is a new step. Index i brings user_version to i + 1.
// Exported so tests can build a database exactly as an earlier version left it.
export const CORE_SCHEMA: readonly string[] = [
  `
  CREATE TABLE events (
    -- AUTOINCREMENT keeps the high-water mark in sqlite_sequence, so a seq freed by retention is never handed out again.
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    inbox_id TEXT,
    thread_id TEXT,
    occurred_at TEXT NOT NULL,
    stored_at INTEGER NOT NULL,
    from_addr TEXT,
    subject TEXT,
    test INTEGER NOT NULL DEFAULT 0,
    payload TEXT NOT NULL,
    UNIQUE (account, event_id)
  );
  CREATE INDEX events_inbox ON events (inbox_id, seq);
  CREATE INDEX events_type ON events (event_type, seq);
  CREATE INDEX events_account ON events (account, seq);
  CREATE INDEX events_stored_at ON events (stored_at);
  CREATE INDEX events_occurred_at ON events (occurred_at);
  CREATE INDEX events_from ON events (from_addr);
  CREATE INDEX events_subject ON events (subject);

  -- Contentless: the text already lives in events.payload; contentless_delete lets retention drop rows by seq.
  CREATE VIRTUAL TABLE events_fts USING fts5 (
    subject, from_addr, to_addr, body_text,
    content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
  );
  CREATE TRIGGER events_fts_insert AFTER INSERT ON events BEGIN
    INSERT INTO events_fts (rowid, subject, from_addr, to_addr, body_text)
    VALUES (new.seq, new.subject, new.from_addr,
            json_extract(new.payload, '$.message.to'), json_extract(new.payload, '$.message.body_text'));
  END;
  CREATE TRIGGER events_fts_delete AFTER DELETE ON events BEGIN
    DELETE FROM events_fts WHERE rowid = old.seq;
  END;

  CREATE TABLE cursors (
    account TEXT PRIMARY KEY,
    last_event_id TEXT,
    updated_at INTEGER NOT NULL
  );

  CREATE TABLE consumers (
    name TEXT PRIMARY KEY,
    acked_seq INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );

  CREATE TABLE migrations (
    name TEXT PRIMARY KEY,
    version INTEGER NOT NULL
  );
  `,
  // Local WebSocket clients resume with an upstream event_id and no account.
  `CREATE INDEX events_event_id ON events (event_id);`,
  // No query reads these (search goes through FTS5, time-ordering through seq and stored_at), yet each cost
  // WAL pages on every commit: measured by the bench as a share of the relay's latency.
  `DROP INDEX events_from; DROP INDEX events_subject; DROP INDEX events_occurred_at;`,
  // Full-text indexing left the commit path: the per-event trigger cost more than the rest of a commit. A
  // background indexer now adds committed events in batches and records how far it got; everything stored so far
  // was indexed by the old trigger. Deletes reach the index only for events it already holds.
  `
  CREATE TABLE events_fts_progress (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    indexed_seq INTEGER NOT NULL
  );
  INSERT INTO events_fts_progress (id, indexed_seq)
  VALUES (1, coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0));
  DROP TRIGGER events_fts_insert;
  DROP TRIGGER events_fts_delete;
  CREATE TRIGGER events_fts_delete AFTER DELETE ON events
  WHEN old.seq <= (SELECT indexed_seq FROM events_fts_progress)
  BEGIN
    DELETE FROM events_fts WHERE rowid = old.seq;
  END;
  `,
  // One mail can come by two routes (a REST catch-up and a late push) under two event ids: each event of a mail
  // carries its provider's message key (daemon/providers/message-key.ts), and the insert skips a second event of
  // the same type with the same key. Null where no key applies; events stored before this step have none.
  `
  ALTER TABLE events ADD COLUMN message_key TEXT;
  CREATE INDEX events_message_key ON events (account, event_type, message_key) WHERE message_key IS NOT NULL;
  `,
  // Three indexes cost a third of each commit (bench b's profile) for reads that have cheaper ways in. The lookup of
  // a resume point by event_id walks the few accounts through UNIQUE (account, event_id); retention by age walks
  // seq order, which stored_at follows; and an event-type filter reads the rows in seq order when the type is
  // message.received (nearly every row), so only the other types keep an index, a small one.
  `
  DROP INDEX events_event_id;
  DROP INDEX events_stored_at;
  DROP INDEX events_type;
  CREATE INDEX events_type_rare ON events (event_type, seq) WHERE event_type <> 'message.received';
  `,
];

const MODULE_NAME = /^[a-z][a-z0-9_-]{0,31}$/;

export class SchemaTooNewError extends Error {
  constructor(what: string, found: number, known: number) {
    super(
      `The ${what} schema is at version ${found}, but this Mailbridge knows only up to ${known}: ` +
        'it was written by a newer Mailbridge. Upgrade Mailbridge to open it.',
    );
    this.name = 'SchemaTooNewError';
  }
}

/** The store file is damaged or is not a SQLite database at all: nothing can be read from it, so nothing is touched. */
export class DamagedDatabaseError extends Error {
  readonly file: string;
  constructor(file: string, problem: string) {
    super(
      `The event store ${file} cannot be read (${problem}): it is damaged ` +
        'or is not a Mailbridge database. Nothing was changed or deleted. Run `mailbridge repair` to move it aside ' +
        '(it is kept, renamed with the time), or move it and its -wal and -shm files elsewhere yourself; Mailbridge ' +
        'then starts with a fresh store and takes mail from the provider again.',
    );
    this.name = 'DamagedDatabaseError';
    this.file = file;
  }
}

/** SQLite's answers for a file it cannot make sense of (extended codes such as SQLITE_CORRUPT_INDEX included). */
export function isDamage(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT'));
}

/**
 * What SQLite finds wrong with `file`, or null: the schema must read, and with `thorough` the whole file must pass
 * a quick check. Read-only, because a read-write connection to a file that is not a database deletes its -wal
 * and -shm when it closes. Failures that say nothing about the file (a permission, a busy lock) are thrown.
 */
export function damageOf(file: string, { thorough = false } = {}): string | null {
  let db: Database | null = null;
  try {
    db = new BetterSqlite3(file, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
    if (!thorough) {
      db.pragma('schema_version');
      return null;
    }
    const found = (db.pragma('quick_check') as { quick_check: string }[]).map((row) => row.quick_check).filter((line) => line !== 'ok');
    return found.length === 0 ? null : found.slice(0, 3).join('; ');
  } catch (error) {
    if (isDamage(error)) return (error as Error).message;
    throw error;
  } finally {
    db?.close();
  }
}

/** Opens (creating if needed) the store at `file`: private file, WAL, and the core schema brought up to date. */
export function openDatabase(file: string): Database {
  ensurePrivateDir(path.dirname(file));
  // SQLite gives the -wal and -shm files the main file's mode, so creating it 0600 first covers all three.
  fs.closeSync(fs.openSync(file, 'a', PRIVATE_FILE_MODE));
  fs.chmodSync(file, PRIVATE_FILE_MODE);
  refuseDamaged(file);
  const db = new BetterSqlite3(file, { timeout: BUSY_TIMEOUT_MS });
  try {
    db.pragma('journal_mode = WAL');
    // Safe with WAL because each upstream cursor commits in the same transaction as the events it follows.
    db.pragma('synchronous = NORMAL');
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma(`wal_autocheckpoint = ${WAL_CAP_PAGES}`);
    db.pragma(`journal_size_limit = ${WAL_KEEP_BYTES}`);
    db.pragma('foreign_keys = ON');
    applySteps(db, 'core', CORE_SCHEMA, {
      read: () => db.pragma('user_version', { simple: true }) as number,
      write: (version) => db.pragma(`user_version = ${version}`),
    });
  } catch (error) {
    db.close();
    throw isDamage(error) ? new DamagedDatabaseError(file, (error as Error).message) : error;
  }
  return db;
}

// Found before the read-write connection opens, so a damaged file is left exactly as it was.
function refuseDamaged(file: string): void {
  let problem: string | null;
  try {
    problem = damageOf(file);
  } catch {
    // Not a verdict on the file (a read-only connection cannot open every WAL state): the real open decides.
    return;
  }
  if (problem !== null) throw new DamagedDatabaseError(file, problem);
}

/**
 * Brings the tables of one module (e.g. 'forward') up to date. Each module has its own version counter under
 * its own name, so modules evolve independently; each must prefix its tables with its name to avoid clashes.
 */
export function migrate(db: Database, name: string, steps: readonly string[]): void {
  if (!MODULE_NAME.test(name) || name === 'core') throw new TypeError(`Invalid migration module name: ${JSON.stringify(name)}`);
  const read = db.prepare<[string], { version: number }>('SELECT version FROM migrations WHERE name = ?');
  const write = db.prepare<[string, number]>(
    'INSERT INTO migrations (name, version) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET version = excluded.version',
  );
  applySteps(db, name, steps, {
    read: () => read.get(name)?.version ?? 0,
    write: (version) => write.run(name, version),
  });
}

function applySteps(
  db: Database,
  what: string,
  steps: readonly string[],
  version: { read(): number; write(version: number): void },
): void {
  for (;;) {
    // IMMEDIATE takes the write lock before reading the version, so two processes never apply the same step.
    const applied = db
      .transaction(() => {
        const current = version.read();
        if (current > steps.length) throw new SchemaTooNewError(what, current, steps.length);
        const step = steps[current];
        if (step === undefined) return false;
        db.exec(step);
        version.write(current + 1);
        return true;
      })
      .immediate();
    if (!applied) return;
  }
}
