// The attachment rows on a real SQLite file: they follow the event log after the commit, go with their events when
// retention deletes them, and keep the files within the total limit, the longest kept first.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { attachmentId } from '../../../daemon/attachments/local-url.ts';
import { AttachmentStore } from '../../../daemon/store/attachments.ts';
import { openDatabase, type Database } from '../../../daemon/store/db.ts';
import { EventStore } from '../../../daemon/store/events.ts';
import type { MailEvent } from '../../../shared/event.ts';

let dir: string;
let db: Database;
let events: EventStore;
let now: number;
let store: AttachmentStore;

function mail(id: string, files = 0): MailEvent {
  return {
    event: 'message.received',
    event_id: id,
    occurred_at: '2026-01-01T00:00:00Z',
    inbox_id: 'inb_1',
    message: {
      id: `msg_${id}`,
      from: 'a@example.com',
      to: 'b@example.com',
      subject: `Files from "attachments":[{ ${id}`,
      attachments: Array.from({ length: files }, (_, i) => ({ filename: `f${i}.txt`, contentType: 'text/plain', sizeBytes: 10 })),
    },
  };
}

const sha = (n: number): string => n.toString(16).padStart(64, '0');

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-attachment-rows-'));
  db = openDatabase(path.join(dir, 'events.db'));
  events = new EventStore(db);
  now = 1_000;
  store = new AttachmentStore(db, attachmentId, () => now);
});

afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('AttachmentStore', () => {
  it('starts at the present: mail stored before it existed gets no rows', () => {
    db.close();
    db = openDatabase(path.join(dir, 'other.db'));
    events = new EventStore(db);
    events.commit('work', [mail('old', 2)]);
    store = new AttachmentStore(db, attachmentId, () => now);
    expect(store.registerPending(100)).toEqual({ added: 0, more: false });
    events.commit('work', [mail('new', 1)]);
    expect(store.registerPending(100)).toEqual({ added: 1, more: false });
  });

  it('adds a pending row per attachment of what was committed since the last pass, a batch of events at a time', () => {
    events.commit('work', [mail('a', 2), mail('b'), mail('c', 1)]);
    expect(store.registerPending(2)).toEqual({ added: 2, more: true });
    expect(store.registerPending(2)).toEqual({ added: 1, more: false });
    expect(store.registerPending(2)).toEqual({ added: 0, more: false });
    expect(store.counts()).toEqual({ kept: 0, pending: 3, failed: 0, evicted: 0, bytes: 0 });
    const row = store.row(attachmentId('work', 'c', 0))!;
    expect(row).toMatchObject({ seq: 3, index: 0, state: 'pending', attempts: 0, account: 'work' });
    expect(row.event.event_id).toBe('c');
    expect(store.due(10)).toEqual([attachmentId('work', 'a', 0), attachmentId('work', 'a', 1), attachmentId('work', 'c', 0)]);
  });

  it('schedules retries, and gives up when told to', () => {
    events.commit('work', [mail('a', 2)]);
    store.registerPending(10);
    const [first, second] = [attachmentId('work', 'a', 0), attachmentId('work', 'a', 1)];
    store.fail(first, 'HTTP 500', 6_000);
    store.fail(second, 'no such file', null);
    expect(store.due(10)).toEqual([]);
    expect(store.nextDueAt()).toBe(6_000);
    expect(store.row(first)).toMatchObject({ state: 'pending', attempts: 1, lastError: 'HTTP 500' });
    expect(store.row(second)).toMatchObject({ state: 'failed', attempts: 1 });
    now = 6_000;
    expect(store.due(10)).toEqual([first]);
    now = 7_000;
    store.fail(first, 'HTTP 500', 60_000);
    expect(store.retryNow()).toBe(1);
    expect(store.due(10)).toEqual([first]);
  });

  it('takes rows away with their events, and hands back the files no row names any more', () => {
    events.commit('work', [mail('a', 1), mail('b', 1)]);
    store.registerPending(10);
    store.keep(attachmentId('work', 'a', 0), sha(1), 10);
    store.keep(attachmentId('work', 'b', 0), sha(1), 10);
    events.applyRetention({ maxAgeMs: null, maxEvents: 1, now: 0, protectAfterSeq: 2 });
    expect(store.row(attachmentId('work', 'a', 0))).toBeNull();
    expect(store.unreferencedFiles()).toEqual([]);
    events.applyRetention({ maxAgeMs: null, maxEvents: 0, now: 0, protectAfterSeq: 2 });
    expect(store.unreferencedFiles()).toEqual([sha(1)]);
    expect(store.counts()).toEqual({ kept: 0, pending: 0, failed: 0, evicted: 0, bytes: 0 });
  });

  it('evicts the longest kept files past the limit, never one it is told to keep', () => {
    events.commit('work', [mail('a', 1), mail('b', 1), mail('c', 1)]);
    store.registerPending(10);
    for (const [n, id] of ['a', 'b', 'c'].entries()) {
      now = 1_000 + n;
      store.keep(attachmentId('work', id, 0), sha(n + 1), 100);
    }
    expect(store.evict(300, new Set())).toEqual([]);
    expect(store.evict(150, new Set([sha(1)]))).toEqual([sha(2), sha(3)]);
    expect(store.row(attachmentId('work', 'b', 0))).toMatchObject({ state: 'evicted', sha256: null });
    expect(store.counts()).toMatchObject({ kept: 1, evicted: 2, bytes: 100 });
    expect(store.knowsFile(sha(1))).toBe(true);
    expect(store.knowsFile(sha(2))).toBe(false);
  });

  it('sends every row of a damaged file back to be fetched', () => {
    events.commit('work', [mail('a', 1), mail('b', 1)]);
    store.registerPending(10);
    store.keep(attachmentId('work', 'a', 0), sha(9), 10);
    store.keep(attachmentId('work', 'b', 0), sha(9), 10);
    expect(store.dropFile(sha(9)).sort()).toEqual([attachmentId('work', 'a', 0), attachmentId('work', 'b', 0)].sort());
    expect(store.counts()).toMatchObject({ kept: 0, pending: 2, bytes: 0 });
  });
});
