// The audit log in SQLite: one row per call an agent made through the REST proxy or a send tool. It holds who,
// what, when and the answer's status, never a body or a key, and keeps itself bounded: rows older than the
// retention or beyond the row cap go as new ones come.
import type { Statement } from 'better-sqlite3';
import { AUDIT_LIMIT, type AuditEntry, type AuditQuery, type AuditResponse } from '../../shared/audit.ts';
import { parseRequest } from '../../shared/control.ts';
import { migrate, type Database } from './db.ts';

// Append-only, like every migration list: a shipped step is never edited.
const AUDIT_SCHEMA: readonly string[] = [
  `
  CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    token TEXT NOT NULL,
    via TEXT NOT NULL,
    account TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    inbox_id TEXT,
    status INTEGER,
    idempotency_key TEXT,
    note TEXT
  );
  CREATE INDEX audit_log_token ON audit_log (token, id);
  CREATE INDEX audit_log_at ON audit_log (at);
  `,
];

export interface AuditRetention {
  maxAgeMs: number;
  maxEntries: number;
}

/** Ninety days, and at most 10,000 calls: enough to answer "what did this agent do", small enough to never matter. */
export const DEFAULT_AUDIT_RETENTION: AuditRetention = { maxAgeMs: 90 * 86_400_000, maxEntries: 10_000 };

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'at'>;

interface AuditRow {
  id: number;
  at: number;
  token: string;
  via: string;
  account: string;
  method: string;
  path: string;
  inbox_id: string | null;
  status: number | null;
  idempotency_key: string | null;
  note: string | null;
}

export class AuditLog {
  readonly #now: () => number;
  readonly #retention: AuditRetention;
  readonly #insert: Statement<[number, string, string, string, string, string, string | null, number | null, string | null, string | null], { id: number }>;
  readonly #page: Statement<[number, number], AuditRow>;
  readonly #pageOf: Statement<[string, number, number], AuditRow>;
  readonly #prune: Statement<[number, number]>;

  constructor(db: Database, now: () => number = Date.now, retention: AuditRetention = DEFAULT_AUDIT_RETENTION) {
    migrate(db, 'audit', AUDIT_SCHEMA);
    this.#now = now;
    this.#retention = retention;
    this.#insert = db.prepare(`
      INSERT INTO audit_log (at, token, via, account, method, path, inbox_id, status, idempotency_key, note)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`);
    this.#page = db.prepare('SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?');
    this.#pageOf = db.prepare('SELECT * FROM audit_log WHERE token = ? AND id < ? ORDER BY id DESC LIMIT ?');
    this.#prune = db.prepare('DELETE FROM audit_log WHERE at < ? OR id <= ?');
  }

  /** Records one call and drops what has aged out or fallen past the cap; returns the new entry's id. */
  record(entry: NewAuditEntry): number {
    const at = this.#now();
    const { id } = this.#insert.get(
      at,
      entry.token,
      entry.via,
      entry.account,
      entry.method,
      entry.path,
      entry.inboxId,
      entry.status,
      entry.idempotencyKey,
      entry.note,
    )!;
    this.#prune.run(at - this.#retention.maxAgeMs, id - this.#retention.maxEntries);
    return id;
  }

  /** Newest first; `limit` defaults to 100, and above 500 the query is refused (`bad_request`). */
  page(raw: AuditQuery = {}): AuditResponse {
    const query = parseRequest('audit', raw) ?? {};
    const limit = query.limit ?? AUDIT_LIMIT.default;
    const before = query.before ?? Number.MAX_SAFE_INTEGER;
    const rows = query.token ? this.#pageOf.all(query.token, before, limit) : this.#page.all(before, limit);
    const entries = rows.map(fromRow);
    return { entries, next_before: entries.length === limit ? (entries.at(-1)?.id ?? null) : null };
  }
}

function fromRow(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    at: new Date(row.at).toISOString(),
    token: row.token,
    via: row.via,
    account: row.account,
    method: row.method,
    path: row.path,
    inboxId: row.inbox_id,
    status: row.status,
    idempotencyKey: row.idempotency_key,
    note: row.note,
  };
}
