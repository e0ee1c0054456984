// What catch-up remembers across restarts, in the event store's SQLite file: when each account was first seen
// (and so where its catch-up may start), and per inbox the newest mail a complete listing saw.
import { migrate, type Database } from '../store/db.ts';
import type { AccountStart } from './policy.ts';

const STEPS: readonly string[] = [
  `
  CREATE TABLE catchup_accounts (
    account TEXT PRIMARY KEY,
    first_seen_at INTEGER NOT NULL,
    start_at INTEGER NOT NULL
  );
  CREATE TABLE catchup_inboxes (
    account TEXT NOT NULL,
    inbox_id TEXT NOT NULL,
    -- The provider's time (epoch ms) of the newest mail a complete listing of this inbox saw.
    watermark INTEGER NOT NULL,
    PRIMARY KEY (account, inbox_id)
  );
  `,
];

export class CatchUpStateStore {
  readonly #readAccount;
  readonly #insertAccount;
  readonly #readWatermark;
  readonly #raiseWatermark;

  constructor(db: Database) {
    migrate(db, 'catchup', STEPS);
    this.#readAccount = db.prepare<[string], { first_seen_at: number; start_at: number }>(
      'SELECT first_seen_at, start_at FROM catchup_accounts WHERE account = ?',
    );
    this.#insertAccount = db.prepare<[string, number, number]>(
      'INSERT INTO catchup_accounts (account, first_seen_at, start_at) VALUES (?, ?, ?) ON CONFLICT (account) DO NOTHING',
    );
    this.#readWatermark = db.prepare<[string, string], { watermark: number }>(
      'SELECT watermark FROM catchup_inboxes WHERE account = ? AND inbox_id = ?',
    );
    this.#raiseWatermark = db.prepare<[string, string, number]>(`
      INSERT INTO catchup_inboxes (account, inbox_id, watermark) VALUES (?, ?, ?)
      ON CONFLICT (account, inbox_id) DO UPDATE SET watermark = max(watermark, excluded.watermark)`);
  }

  /** The account's start, recorded the first time it is asked for (`first` computes it then). */
  accountStart(account: string, first: () => AccountStart): AccountStart {
    const row = this.#readAccount.get(account);
    if (row) return { firstSeenAt: row.first_seen_at, startAt: row.start_at };
    const start = first();
    this.#insertAccount.run(account, start.firstSeenAt, start.startAt);
    return start;
  }

  watermark(account: string, inboxId: string): number | null {
    return this.#readWatermark.get(account, inboxId)?.watermark ?? null;
  }

  /** Never moves a watermark back. */
  raiseWatermark(account: string, inboxId: string, at: number): void {
    this.#raiseWatermark.run(account, inboxId, at);
  }
}
