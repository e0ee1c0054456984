import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MailEvent } from '../../../shared/event.ts';
import { openDatabase, type Database } from '../../../daemon/store/db.ts';
import { EventStore, InvalidEventError } from '../../../daemon/store/events.ts';
import { CRASH_ACCOUNT, crashEvent } from './commit-loop.ts';

let dir: string;
let file: string;
const open: Database[] = [];

function openStore(now?: () => number): { db: Database; store: EventStore } {
  const db = openDatabase(file);
  open.push(db);
  return { db, store: new EventStore(db, now) };
}

function mail(id: string, overrides: Partial<MailEvent> = {}): MailEvent {
  return {
    event: 'message.received',
    event_id: id,
    occurred_at: '2026-02-24T10:05:00.000Z',
    inbox_id: 'inb_1',
    thread_id: 'thr_1',
    message: { id: `msg_${id}`, from: 'customer@example.com', to: 'jane@openmail.sh', subject: `Order ${id}`, body_text: 'Thanks for the order' },
    ...overrides,
  };
}

const ids = (events: readonly { event_id: string }[]) => events.map((e) => e.event_id);
const seqs = (events: readonly { seq: number }[]) => events.map((e) => e.seq);

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-events-'));
  file = path.join(dir, 'events.sqlite');
});

afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('commit', () => {
  it('assigns ascending seqs and returns the stored events with them', () => {
    const { store } = openStore();
    const result = store.commit('work', [mail('a'), mail('b')]);
    expect(result.duplicates).toBe(0);
    expect(result.stored).toEqual([
      { ...mail('a'), seq: 1 },
      { ...mail('b'), seq: 2 },
    ]);
    expect(store.after(0, 10)).toEqual(result.stored);
  });

  it('skips events already stored for the account, across commits and within one', () => {
    const { store } = openStore();
    store.commit('work', [mail('a'), mail('b')]);
    const again = store.commit('work', [mail('b'), mail('c'), mail('c')]);
    expect(ids(again.stored)).toEqual(['c']);
    expect(again.duplicates).toBe(2);
    // Skipped duplicates consume no seq, so replays leave no holes.
    expect(store.after(0, 10).map((e) => [e.seq, e.event_id])).toEqual([[1, 'a'], [2, 'b'], [3, 'c']]);
  });

  it('dedupes per account: the same event id under another account is a different event', () => {
    const { store } = openStore();
    store.commit('work', [mail('a')]);
    expect(store.commit('home', [mail('a')]).stored).toHaveLength(1);
    expect(store.count()).toBe(2);
  });

  it('still recognises duplicates after the database is closed and reopened', () => {
    const first = openStore();
    first.store.commit('work', [mail('a'), mail('b')]);
    first.db.close();
    const { store } = openStore();
    expect(store.commit('work', [mail('a'), mail('b')])).toEqual({ stored: [], duplicates: 2 });
    expect(store.count()).toBe(2);
  });

  it('moves the cursor with the events it follows, leaves it alone when none is given, and clears it on null', () => {
    const { store } = openStore();
    expect(store.cursor('work')).toBeNull();
    store.commit('work', [mail('a')], 'a');
    expect(store.cursor('work')).toBe('a');
    store.commit('work', [mail('b')]);
    expect(store.cursor('work')).toBe('a');
    store.commit('work', [], 'b');
    expect(store.cursor('work')).toBe('b');
    expect(store.cursor('home')).toBeNull();
    store.commit('work', [], null);
    expect(store.cursor('work')).toBeNull();
    store.setCursor('work', 'z');
    expect(store.cursor('work')).toBe('z');
  });

  it('rolls back every event and the cursor when an insert fails part-way through', () => {
    const { store } = openStore();
    store.commit('work', [mail('a')], 'a');
    const unserialisable = mail('c', { size: 10n });
    expect(() => store.commit('work', [mail('b'), unserialisable], 'c')).toThrow(/BigInt/);
    expect(store.cursor('work')).toBe('a');
    expect(ids(store.after(0, 10))).toEqual(['a']);
    // Nothing half-committed lingers to be mistaken for a duplicate.
    expect(store.commit('work', [mail('b')]).stored).toEqual([{ ...mail('b'), seq: 2 }]);
  });

  it('stores none of the events when the cursor that follows them cannot be written', () => {
    const { store } = openStore();
    store.commit('work', [mail('a')], 'a');
    const unbindable = { id: 'b' } as unknown as string;
    expect(() => store.commit('work', [mail('b'), mail('c')], unbindable)).toThrow();
    expect(ids(store.after(0, 10))).toEqual(['a']);
    expect(store.cursor('work')).toBe('a');
  });

  it('refuses an event without an id and stores nothing of its batch', () => {
    const { store } = openStore();
    const broken = { ...mail('x'), event_id: '' };
    expect(() => store.commit('work', [mail('a'), broken], 'x')).toThrow(InvalidEventError);
    expect(store.count()).toBe(0);
    expect(store.cursor('work')).toBeNull();
  });
});

describe('one message, once', () => {
  // As the engine keys them: by the provider's message id (daemon/providers/message-key.ts).
  const byMessageId = (_account: string, event: MailEvent) => (event.message ? `id:${event.message.id}` : null);
  const keyedStore = () => {
    const db = openDatabase(file);
    open.push(db);
    return new EventStore(db, Date.now, () => {}, byMessageId);
  };
  const viaRest = (messageId: string) => mail(`evt_catchup_${messageId}`, { message: { ...mail(messageId).message!, id: messageId } });
  const viaPush = (messageId: string, overrides: Partial<MailEvent> = {}) =>
    mail(`evt_push_${messageId}`, { message: { ...mail(messageId).message!, id: messageId }, ...overrides });

  it('skips a second event of the same type and message under another event id, whichever route came first', () => {
    const store = keyedStore();
    expect(store.commit('work', [viaRest('m1'), viaPush('m2')]).stored).toHaveLength(2);
    const late = store.commit('work', [viaPush('m1'), viaRest('m2')]);
    expect(late).toEqual({ stored: [], duplicates: 2 });
    expect(ids(store.after(0, 10))).toEqual(['evt_catchup_m1', 'evt_push_m2']);
  });

  it('skips the second within one batch too', () => {
    const store = keyedStore();
    expect(store.commit('work', [viaPush('m1'), viaRest('m1')])).toMatchObject({ duplicates: 1, stored: [{ event_id: 'evt_push_m1' }] });
  });

  it('keeps other event types of the same message, and the same message under another account', () => {
    const store = keyedStore();
    store.commit('work', [viaPush('m1')]);
    const delivered = viaPush('m1', { event: 'message.delivered', event_id: 'evt_delivered_m1' });
    expect(store.commit('work', [delivered]).stored).toHaveLength(1);
    expect(store.commit('home', [viaRest('m1')]).stored).toHaveLength(1);
  });

  it('dedupes by event id alone where no key applies', () => {
    const store = keyedStore();
    const bare = (id: string): MailEvent => ({ event: 'inbox.suspended', event_id: id, occurred_at: '2026-02-24T10:05:00.000Z', inbox_id: 'inb_1' });
    expect(store.commit('work', [bare('e1'), bare('e2'), bare('e1')])).toMatchObject({ duplicates: 1 });
    expect(store.count()).toBe(2);
  });

  it('says whether the account holds an event by its id or its message, through an index', () => {
    const { db } = openStore();
    const store = new EventStore(db, Date.now, () => {}, byMessageId);
    store.commit('work', [viaPush('m1')]);
    expect(store.holds('work', viaPush('m1'))).toBe(true);
    expect(store.holds('work', viaRest('m1'))).toBe(true);
    expect(store.holds('work', viaRest('m2'))).toBe(false);
    expect(store.holds('home', viaRest('m1'))).toBe(false);
    expect(store.holds('work', viaPush('m1', { event: 'message.delivered', event_id: 'evt_other' }))).toBe(false);
    const plan = db
      .prepare("EXPLAIN QUERY PLAN SELECT 1 FROM events WHERE account = 'a' AND event_type = 't' AND message_key = 'k' LIMIT 1")
      .all() as { detail: string }[];
    expect(plan.map((row) => row.detail).join(' ')).toContain('events_message_key');
  });

  it('gives recent events stored without a key (before keys existed) theirs, so a late push of one is known', () => {
    const { store: unkeyed } = openStore(() => 5_000);
    unkeyed.commit('work', [viaPush('m1'), viaPush('m2')]);
    const store = keyedStore();
    expect(store.commit('work', [viaRest('m1')]).stored).toHaveLength(1);
    expect(store.keyRecent('work', 4_000, 100)).toBe(2);
    expect(store.commit('work', [viaRest('m2')]).stored).toHaveLength(0);
    expect(store.keyRecent('work', 4_000, 100)).toBe(0);
  });

  it('finds the newest occurred_at among recent events of a type', () => {
    const { store } = openStore();
    expect(store.newestOccurredAt('work', 'message.received')).toBeNull();
    store.commit('work', [
      mail('a', { occurred_at: '2026-02-24T10:05:00.000Z' }),
      mail('b', { occurred_at: '2026-02-24T12:00:00.000Z' }),
      mail('c', { occurred_at: '2026-02-24T11:00:00.000Z' }),
      mail('d', { event: 'inbox.suspended', occurred_at: '2026-03-01T00:00:00.000Z' }),
    ]);
    expect(store.newestOccurredAt('work', 'message.received')).toBe(Date.parse('2026-02-24T12:00:00.000Z'));
    expect(store.newestOccurredAt('home', 'message.received')).toBeNull();
  });
});

describe('reading', () => {
  it('returns events after a seq in ascending order, limited and filtered by inbox, type and account', () => {
    const { store } = openStore();
    store.commit('work', [
      mail('a'),
      mail('b', { inbox_id: 'inb_2' }),
      mail('c', { event: 'inbox.suspended', message: undefined }),
      mail('d', { inbox_id: 'inb_2' }),
    ]);
    store.commit('home', [mail('e', { inbox_id: 'inb_2' })]);
    expect(ids(store.after(1, 2))).toEqual(['b', 'c']);
    expect(ids(store.after(0, 10, { inboxId: 'inb_2' }))).toEqual(['b', 'd', 'e']);
    expect(ids(store.after(2, 10, { inboxId: 'inb_2', account: 'work' }))).toEqual(['d']);
    expect(ids(store.after(0, 10, { eventType: 'inbox.suspended' }))).toEqual(['c']);
    expect(store.after(5, 10)).toEqual([]);
  });

  it('reports count, latest and oldest seq, and single records with their metadata', () => {
    let now = 1000;
    const { store } = openStore(() => now);
    expect([store.count(), store.latestSeq(), store.oldestSeq()]).toEqual([0, 0, null]);
    store.commit('work', [mail('a')]);
    now = 2000;
    store.commit('work', [mail('b', { test: true })]);
    expect([store.count(), store.latestSeq(), store.oldestSeq()]).toEqual([2, 2, 1]);
    expect(store.get(2)).toEqual({ seq: 2, account: 'work', storedAt: 2000, event: mail('b', { test: true }) });
    expect(store.get(3)).toBeNull();
  });

  it('reads through indexes, never scanning the whole events table', () => {
    const db = openDatabase(file);
    open.push(db);
    const prepared: string[] = [];
    const prepare = db.prepare.bind(db);
    vi.spyOn(db, 'prepare').mockImplementation(((sql: string) => {
      prepared.push(sql);
      return prepare(sql);
    }) as typeof db.prepare);
    const store = new EventStore(db);
    store.commit('work', [mail('a')]);
    const filters = [{}, { inboxId: 'i' }, { eventType: 't' }, { eventType: 'message.received' }, { account: 'a' }, { inboxId: 'i', eventType: 't' }];
    for (const filter of filters) {
      store.after(0, 10, filter);
      store.history({ limit: 10, before: 5, ...filter });
      store.history({ limit: 10, ...filter, q: 'order' });
    }
    const reads = prepared.filter((sql) => /^\s*SELECT\b[\s\S]*\bFROM events\b/.test(sql) && /@limit/.test(sql));
    expect(reads.length).toBeGreaterThanOrEqual(10);
    for (const sql of reads) {
      const params = Object.fromEntries([...sql.matchAll(/@(\w+)/g)].map(([, name]) => [name, name === 'match' ? '"x"' : 1]));
      const plan = prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[];
      expect(plan.map((row) => row.detail).filter((detail) => /^SCAN (events|e)\b/.test(detail)), sql).toEqual([]);
    }
  });
});

describe('history', () => {
  function seed(store: EventStore): void {
    store.commit('work', [
      mail('a', { message: { id: 'm1', from: 'alice@example.com', to: 'jane@openmail.sh', subject: 'Invoice for March', body_text: 'Please pay' } }),
      mail('b', { message: { id: 'm2', from: 'bob@shop.example', to: 'jane@openmail.sh', subject: 'Shipping update', body_text: 'Your parcel left the café' } }),
      mail('c', { inbox_id: 'inb_2', message: { id: 'm3', from: 'carol@example.com', to: 'ops@openmail.sh', subject: 'Invoice reminder', body_text: 'Second notice' } }),
    ]);
    store.commit('home', [mail('d', { event: 'inbox.suspended', message: undefined })]);
  }

  it('lists newest first and pages backwards with before', () => {
    const { store } = openStore();
    seed(store);
    const first = store.history({ limit: 2 });
    expect(seqs(first)).toEqual([4, 3]);
    expect(first[0]).toMatchObject({ seq: 4, account: 'home', event: { event_id: 'd' } });
    expect(seqs(store.history({ limit: 2, before: 3 }))).toEqual([2, 1]);
    expect(store.history({ limit: 2, before: 1 })).toEqual([]);
  });

  it('filters by account, inbox and event type', () => {
    const { store } = openStore();
    seed(store);
    expect(seqs(store.history({ limit: 10, account: 'home' }))).toEqual([4]);
    expect(seqs(store.history({ limit: 10, inboxId: 'inb_2' }))).toEqual([3]);
    expect(seqs(store.history({ limit: 10, eventType: 'message.received', account: 'work' }))).toEqual([3, 2, 1]);
  });

  it('finds events by words of the subject, sender, recipient and body, with the last word as a prefix', () => {
    const { store } = openStore();
    seed(store);
    const search = (q: string, extra = {}) => seqs(store.history({ limit: 10, q, ...extra }));
    expect(search('invoice')).toEqual([3, 1]);
    expect(search('alice@example.com')).toEqual([1]);
    expect(search('ops')).toEqual([3]);
    expect(search('parcel')).toEqual([2]);
    expect(search('invoice remi')).toEqual([3]);
    expect(search('cafe')).toEqual([2]);
    expect(search('invoice', { inboxId: 'inb_1' })).toEqual([1]);
    expect(search('invoice', { before: 3 })).toEqual([1]);
    expect(search('nothing-like-this')).toEqual([]);
  });

  it('treats FTS5 syntax in user text as plain words and never throws', () => {
    const { store } = openStore();
    seed(store);
    const hostile = ['"', '""', 'AND(', 'OR', 'NOT', '*', 'a*b"', '(', ')', 'NEAR(a b', 'subject:invoice', '^x', '-x', '\u0000',
      "'; DROP TABLE events; --", '"unterminated', 'invoice AND', '🙂', '   ', '', 'x'.repeat(10_000), '\\', '{col}: a', '+', ':'];
    for (const q of hostile) expect(() => store.history({ limit: 10, q }), JSON.stringify(q)).not.toThrow();
    for (let i = 0; i < 300; i++) {
      const q = String.fromCodePoint(...Array.from({ length: 1 + (i % 12) }, () => Math.floor(Math.random() * 0x3000)));
      expect(() => store.history({ limit: 10, q }), JSON.stringify(q)).not.toThrow();
    }
    expect(seqs(store.history({ limit: 10, q: '(invoice)' }))).toEqual([3, 1]);
    expect(seqs(store.history({ limit: 10, q: '"invoice' }))).toEqual([3, 1]);
    expect(seqs(store.history({ limit: 10, q: 'subject:invoice' }))).toEqual([]);
    expect(store.count()).toBe(4);
  });
});

describe('full-text index', () => {
  const indexedRows = (db: Database) => db.prepare('SELECT count(*) FROM events_fts').pluck().get();

  it('is filled in batches after the commit, not inside it, and says how far behind it is', () => {
    const { db, store } = openStore();
    store.commit('work', [mail('a'), mail('b'), mail('c')]);
    expect(indexedRows(db)).toBe(0);
    expect(store.searchLag()).toBe(3);
    expect(store.indexPending(2)).toBe(2);
    expect(store.searchLag()).toBe(1);
    expect(store.indexPending(10)).toBe(1);
    expect([store.searchLag(), indexedRows(db)]).toEqual([0, 3]);
    expect(store.indexPending(10)).toBe(0);
  });

  it('is caught up by a search, so a search finds an event the moment its commit returns', () => {
    const { store } = openStore();
    store.commit('work', [mail('a', { message: { id: 'm1', from: 'ana@example.com', to: 'jane@openmail.sh', subject: 'Kumquat order', body_text: '' } })]);
    expect(seqs(store.history({ limit: 10, q: 'kumquat' }))).toEqual([1]);
    expect(store.searchLag()).toBe(0);
  });

  it('catches up after a restart with what the last run committed but did not index', () => {
    const first = openStore();
    first.store.commit('work', [mail('a'), mail('b')]);
    first.db.close();
    const { db, store } = openStore();
    expect(store.searchLag()).toBe(2);
    expect(store.indexPending(100)).toBe(2);
    expect(indexedRows(db)).toBe(2);
  });
});

describe('applyRetention', () => {
  function fill(store: EventStore, n: number): void {
    store.commit('work', Array.from({ length: n }, (_, i) => mail(`e${i + 1}`)));
  }

  it('keeps only the newest maxEvents', () => {
    const { store } = openStore();
    fill(store, 10);
    expect(store.applyRetention({ maxAgeMs: null, maxEvents: 3, now: Date.now(), protectAfterSeq: 10 })).toBe(7);
    expect(seqs(store.after(0, 100))).toEqual([8, 9, 10]);
  });

  it('deletes events stored longer ago than maxAgeMs', () => {
    let now = 0;
    const { store } = openStore(() => now);
    for (let i = 1; i <= 5; i++) {
      now = i * 1000;
      store.commit('work', [mail(`e${i}`)]);
    }
    expect(store.applyRetention({ maxAgeMs: 2500, maxEvents: null, now: 5000, protectAfterSeq: 5 })).toBe(2);
    expect(seqs(store.after(0, 100))).toEqual([3, 4, 5]);
  });

  it('by age, takes the oldest seqs up to the first event young enough to keep', () => {
    let now = 0;
    const { store } = openStore(() => now);
    // The fourth was stored while the clock stood a minute behind: it waits for the young third.
    for (const [i, at] of [1_000, 2_000, 9_000, 1_500, 9_500].entries()) {
      now = at;
      store.commit('work', [mail(`e${i + 1}`)]);
    }
    expect(store.applyRetention({ maxAgeMs: 5_000, maxEvents: null, now: 10_000, protectAfterSeq: 5 })).toBe(2);
    expect(seqs(store.after(0, 100))).toEqual([3, 4, 5]);
    expect(store.applyRetention({ maxAgeMs: 5_000, maxEvents: null, now: 20_000, protectAfterSeq: 4 })).toBe(2);
    expect(seqs(store.after(0, 100))).toEqual([5]);
  });

  it('never deletes an event above protectAfterSeq, whatever the limits say', () => {
    const { store } = openStore(() => 0);
    fill(store, 10);
    expect(store.applyRetention({ maxAgeMs: 1, maxEvents: 0, now: 1_000_000, protectAfterSeq: 4 })).toBe(4);
    expect(seqs(store.after(0, 100))).toEqual([5, 6, 7, 8, 9, 10]);
    expect(store.applyRetention({ maxAgeMs: 1, maxEvents: 0, now: 1_000_000, protectAfterSeq: 0 })).toBe(0);
  });

  it('deletes everything eligible even when it spans many batches', () => {
    const { store } = openStore();
    fill(store, 25);
    expect(store.applyRetention({ maxAgeMs: null, maxEvents: 2, now: 0, protectAfterSeq: 25, batchSize: 4 })).toBe(23);
    expect(seqs(store.after(0, 100))).toEqual([24, 25]);
  });

  it('never hands out a deleted seq again, even after reopening', () => {
    const first = openStore();
    fill(first.store, 5);
    first.store.applyRetention({ maxAgeMs: null, maxEvents: 0, now: 0, protectAfterSeq: 5 });
    expect([first.store.count(), first.store.oldestSeq(), first.store.latestSeq()]).toEqual([0, null, 5]);
    expect(seqs(first.store.commit('work', [mail('f')]).stored)).toEqual([6]);
    first.store.applyRetention({ maxAgeMs: null, maxEvents: 0, now: 0, protectAfterSeq: 6 });
    first.db.close();
    const { store } = openStore();
    expect(seqs(store.commit('work', [mail('g')]).stored)).toEqual([7]);
  });

  it('removes deleted events from the full-text index, whether or not the indexer had reached them', () => {
    const { db, store } = openStore();
    const subject = (id: string, word: string) => mail(id, { message: { id: `m_${id}`, from: 'x@example.com', to: 'y@example.com', subject: word, body_text: '' } });
    store.commit('work', [subject('a', 'zebra'), subject('b', 'giraffe')]);
    expect(store.indexPending(1)).toBe(1);
    store.commit('work', [subject('c', 'okapi')]);
    store.applyRetention({ maxAgeMs: null, maxEvents: 1, now: 0, protectAfterSeq: 3 });
    expect(store.indexPending(100)).toBe(1);
    const indexed = (word: string) => db.prepare('SELECT rowid FROM events_fts WHERE events_fts MATCH ?').pluck().all(word);
    expect([indexed('zebra'), indexed('giraffe'), indexed('okapi')]).toEqual([[], [], [3]]);
    expect(store.searchLag()).toBe(0);
  });
});

describe('crash safety', () => {
  const script = fileURLToPath(new URL('./commit-loop.ts', import.meta.url));

  // Runs the committing child until it has reported `target` events, then SIGKILLs it mid-loop.
  async function runAndKill(target: number): Promise<Map<number, string>> {
    const child = spawn(process.execPath, [script, file], { stdio: ['ignore', 'pipe', 'inherit'] });
    const committed = new Map<number, string>();
    let pending = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const [seq, id] = line.split(' ');
        committed.set(Number(seq), id!);
      }
      if (committed.size >= target) child.kill('SIGKILL');
    });
    const [, signal] = (await new Promise((resolve) => child.on('exit', (...args) => resolve(args)))) as [number | null, string | null];
    expect(signal).toBe('SIGKILL');
    return committed;
  }

  it('keeps every event whose commit returned, without duplicates, and the cursor at the last stored event', async () => {
    const committed = new Map<number, string>();
    for (let round = 0; round < 3; round++) {
      for (const [seq, id] of await runAndKill(20 + Math.floor(Math.random() * 300))) committed.set(seq, id);
    }
    const { store } = openStore();
    const stored = store.after(0, 1_000_000);
    const byId = new Map(stored.map((event) => [event.seq, event.event_id]));
    for (const [seq, id] of committed) expect(byId.get(seq)).toBe(id);
    expect(new Set(ids(stored)).size).toBe(stored.length);
    // Batches overlap by one event, so seq n holding evt_n for every n proves no gap and no double insert.
    expect(stored.map((event) => event.event_id)).toEqual(stored.map((event) => crashEvent(event.seq).event_id));
    expect(seqs(stored)).toEqual(stored.map((_, i) => i + 1));
    expect(store.cursor(CRASH_ACCOUNT)).toBe(stored.at(-1)?.event_id);
    while (store.indexPending(10_000) > 0);
    expect(store.searchLag()).toBe(0);
    expect(seqs(store.history({ limit: 1_000_000, q: 'crash' }))).toEqual(seqs(stored).reverse());
  });
});

describe('seqOf', () => {
  it('finds the local seq of an upstream event id in any account, the newest if two share it, and null for an unknown one', () => {
    const { db } = openStore();
    const prepared: string[] = [];
    const prepare = db.prepare.bind(db);
    vi.spyOn(db, 'prepare').mockImplementation(((sql: string) => {
      prepared.push(sql);
      return prepare(sql);
    }) as typeof db.prepare);
    const store = new EventStore(db);
    store.commit('a', [mail('evt_1'), mail('evt_2')]);
    store.commit('b', [mail('evt_3'), mail('evt_2')]);
    store.commit('local', [mail('evt_4')]);
    expect(store.seqOf('evt_1')).toBe(1);
    expect(store.seqOf('evt_2')).toBe(4);
    expect(store.seqOf('evt_4')).toBe(5);
    expect(store.seqOf('evt_missing')).toBe(null);
    // Through UNIQUE (account, event_id), one account at a time: no index of its own to keep up on every commit.
    const sql = prepared.find((text) => text.includes('event_id = ?') && text.includes('accounts'))!;
    const plan = (prepare(`EXPLAIN QUERY PLAN ${sql}`).all('x') as { detail: string }[]).map((p) => p.detail);
    expect(plan.some((detail) => /^SCAN (events|e)\b/.test(detail)), plan.join(' | ')).toBe(false);
    expect(plan.join(' ')).toContain('sqlite_autoindex_events_1 (account=? AND event_id=?)');
  });
});

describe('count', () => {
  it('stays equal to the rows stored through commits, duplicates and retention', () => {
    const { db, store } = openStore();
    const rows = () => (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
    expect(store.count()).toBe(0);
    store.commit('a', [mail('evt_1'), mail('evt_2'), mail('evt_3')]);
    store.commit('a', [mail('evt_2'), mail('evt_4')]);
    expect(store.count()).toBe(4);
    store.applyRetention({ maxAgeMs: null, maxEvents: 2, now: Date.now(), protectAfterSeq: 10 });
    expect(store.count()).toBe(rows());
    expect(store.count()).toBe(2);
  });
});
