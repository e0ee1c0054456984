// The sends the MCP tools made lately, so that a call repeated within the window sends nothing more: per call (a
// fingerprint of who asked, the tool and the mail, never the mail itself) the Idempotency-Key it goes with and, once
// the provider took the mail, the tool's answer. A repeat finds the key (a send cut short goes again with it, and the
// provider answers it again rather than sending twice) or the answer (given again, with no call at all). Rows older
// than the window go as new ones come.
import type { Statement } from 'better-sqlite3';
import { migrate, type Database } from './db.ts';

// Append-only, like every migration list: a shipped step is never edited.
const TOOL_SENDS_SCHEMA: readonly string[] = [
  `
  CREATE TABLE tool_sends (
    fingerprint TEXT PRIMARY KEY,
    idempotency_key TEXT NOT NULL,
    at INTEGER NOT NULL,
    answer TEXT
  );
  CREATE INDEX tool_sends_at ON tool_sends (at);
  `,
];

/** How long an identical call counts as a repeat: longer than any client's retries, shorter than a deliberate resend. */
export const REPEAT_WINDOW_MS = 10 * 60_000;

export interface ToolSendRecord {
  idempotencyKey: string;
  /** When the first of these calls was made (ms). */
  at: number;
  /** The answer of the send that went, as the tool stored it; null while none went. */
  answer: string | null;
}

export class ToolSends {
  readonly windowMs: number;
  readonly #now: () => number;
  readonly #get: Statement<[string, number], { idempotency_key: string; at: number; answer: string | null }>;
  readonly #insert: Statement<[string, string, number]>;
  readonly #settle: Statement<[string, string]>;
  readonly #prune: Statement<[number]>;

  constructor(db: Database, now: () => number = Date.now, windowMs: number = REPEAT_WINDOW_MS) {
    migrate(db, 'tool_sends', TOOL_SENDS_SCHEMA);
    this.#now = now;
    this.windowMs = windowMs;
    this.#get = db.prepare('SELECT idempotency_key, at, answer FROM tool_sends WHERE fingerprint = ? AND at >= ?');
    this.#insert = db.prepare('INSERT INTO tool_sends (fingerprint, idempotency_key, at) VALUES (?, ?, ?)');
    this.#settle = db.prepare('UPDATE tool_sends SET answer = ? WHERE fingerprint = ?');
    this.#prune = db.prepare('DELETE FROM tool_sends WHERE at < ?');
  }

  /** The record of an identical call within the window, or a new one that goes with `newKey`. */
  claim(fingerprint: string, newKey: string): ToolSendRecord {
    const now = this.#now();
    const since = now - this.windowMs;
    // Pruned first, so a fingerprint is either found within the window or free to insert.
    this.#prune.run(since);
    const found = this.#get.get(fingerprint, since);
    if (found !== undefined) return { idempotencyKey: found.idempotency_key, at: found.at, answer: found.answer };
    this.#insert.run(fingerprint, newKey, now);
    return { idempotencyKey: newKey, at: now, answer: null };
  }

  /** Keeps the answer of a send that went, for the repeats of its call. */
  settle(fingerprint: string, answer: string): void {
    this.#settle.run(answer, fingerprint);
  }
}
