// Agent tokens in SQLite: a name, the SHA-256 of the token (never the token), what it may do and see, and when it
// was made and last used. The rules around them (making, resolving, revoking) are daemon/access/agent-tokens.ts.
import type { Statement } from 'better-sqlite3';
import type { Scope } from '../../shared/principal.ts';
import { migrate, type Database } from './db.ts';

// Append-only, like every migration list: a shipped step is never edited.
const AGENT_TOKENS_SCHEMA: readonly string[] = [
  `
  CREATE TABLE agent_tokens (
    name TEXT PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,
    scopes TEXT NOT NULL,
    inbox_ids TEXT NOT NULL,
    allow_senders TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER
  );
  `,
];

export interface StoredToken {
  name: string;
  /** Hex SHA-256 of the token. */
  hash: string;
  scopes: Scope[];
  inboxIds: string[];
  allowSenders: string[];
  createdAt: number;
  lastUsedAt: number | null;
}

interface TokenRow {
  name: string;
  hash: string;
  scopes: string;
  inbox_ids: string;
  allow_senders: string;
  created_at: number;
  last_used_at: number | null;
}

const COLUMNS = 'name, hash, scopes, inbox_ids, allow_senders, created_at, last_used_at';

export class AgentTokenStore {
  readonly #insert: Statement<[string, string, string, string, string, number]>;
  readonly #list: Statement<[], TokenRow>;
  readonly #byHash: Statement<[string], TokenRow>;
  readonly #remove: Statement<[string]>;
  readonly #touch: Statement<[number, string]>;

  constructor(db: Database) {
    migrate(db, 'agent_tokens', AGENT_TOKENS_SCHEMA);
    this.#insert = db.prepare(`
      INSERT INTO agent_tokens (name, hash, scopes, inbox_ids, allow_senders, created_at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (name) DO NOTHING`);
    this.#list = db.prepare(`SELECT ${COLUMNS} FROM agent_tokens ORDER BY name`);
    this.#byHash = db.prepare(`SELECT ${COLUMNS} FROM agent_tokens WHERE hash = ?`);
    this.#remove = db.prepare('DELETE FROM agent_tokens WHERE name = ?');
    this.#touch = db.prepare('UPDATE agent_tokens SET last_used_at = ? WHERE name = ?');
  }

  /** False when a token of that name exists already. */
  insert(token: Omit<StoredToken, 'lastUsedAt'>): boolean {
    const { name, hash, scopes, inboxIds, allowSenders, createdAt } = token;
    return this.#insert.run(name, hash, JSON.stringify(scopes), JSON.stringify(inboxIds), JSON.stringify(allowSenders), createdAt).changes > 0;
  }

  list(): StoredToken[] {
    return this.#list.all().map(fromRow);
  }

  byHash(hash: string): StoredToken | null {
    const row = this.#byHash.get(hash);
    return row === undefined ? null : fromRow(row);
  }

  remove(name: string): boolean {
    return this.#remove.run(name).changes > 0;
  }

  touch(name: string, at: number): void {
    this.#touch.run(at, name);
  }
}

function fromRow(row: TokenRow): StoredToken {
  return {
    name: row.name,
    hash: row.hash,
    scopes: JSON.parse(row.scopes) as Scope[],
    inboxIds: JSON.parse(row.inbox_ids) as string[],
    allowSenders: JSON.parse(row.allow_senders) as string[],
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
  };
}
