import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog, type NewAuditEntry } from '../../../daemon/store/audit-log.ts';
import { openDatabase, type Database } from '../../../daemon/store/db.ts';

let root: string;
let db: Database;
let now: number;

const entry = (overrides: Partial<NewAuditEntry> = {}): NewAuditEntry => ({
  token: 'mailer',
  via: 'proxy',
  account: 'work',
  method: 'POST',
  path: '/v1/inboxes/inb_a/send',
  inboxId: 'inb_a',
  status: 200,
  idempotencyKey: 'key-1',
  note: null,
  ...overrides,
});

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-audit-'));
  db = openDatabase(path.join(root, 'events.db'));
  now = Date.parse('2026-11-30T10:00:00Z');
});

afterEach(() => {
  db.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('AuditLog', () => {
  it('pages newest first, by token, and refuses a limit above 500', () => {
    const log = new AuditLog(db, () => now);
    for (let i = 1; i <= 5; i += 1) log.record(entry({ token: i % 2 === 0 ? 'reader' : 'mailer', idempotencyKey: `key-${i}` }));
    const first = log.page({ limit: 2 });
    expect(first.entries.map((e) => e.id)).toEqual([5, 4]);
    expect(first.entries[0]).toEqual({ id: 5, at: '2026-11-30T10:00:00.000Z', ...entry({ idempotencyKey: 'key-5' }) });
    expect(log.page({ limit: 2, before: first.next_before! }).entries.map((e) => e.id)).toEqual([3, 2]);
    expect(log.page({ token: 'reader' })).toMatchObject({ entries: [{ id: 4 }, { id: 2 }], next_before: null });
    expect(() => log.page({ limit: 501 })).toThrow(expect.objectContaining({ code: 'bad_request' }));
  });

  it('stays bounded: entries past the age or the row cap go as new ones come', () => {
    const log = new AuditLog(db, () => now, { maxAgeMs: 60_000, maxEntries: 3 });
    for (let i = 0; i < 5; i += 1) log.record(entry());
    expect(log.page().entries.map((e) => e.id)).toEqual([5, 4, 3]);
    now += 61_000;
    log.record(entry());
    expect(log.page().entries.map((e) => e.id)).toEqual([6]);
  });
});
