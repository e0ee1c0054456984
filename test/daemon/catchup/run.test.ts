// One catch-up run against the demo provider's real REST API in each flavour, committing into a real SQLite
// store keyed as the engine keys it: what it recovers, where it stops paging, what it fetches, and how it gets
// through pages too large and inboxes that are gone.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readPage, runCatchUp, type RunContext } from '../../../daemon/catchup/run.ts';
import { pushFrame } from '../../../daemon/demo/flavours/socket.ts';
import type { CaughtItem, RestGet } from '../../../daemon/providers/catch-up.ts';
import { getAdapter } from '../../../daemon/providers/index.ts';
import { restGetJson, type RestLimits } from '../../../daemon/providers/rest-client.ts';
import { restTarget } from '../../../daemon/providers/rest.ts';
import { openDatabase, type Database } from '../../../daemon/store/db.ts';
import { EventStore } from '../../../daemon/store/events.ts';
import type { MailEvent } from '../../../shared/event.ts';
import { PROVIDERS, type ProviderName } from '../../../shared/status.ts';
import { INBOX_A, INBOX_B, KEY, startDemo, stopDemos } from '../demo/rest/rest-client.ts';

const ACCOUNT = 'acct';
const dbs: { db: Database; dir: string }[] = [];

afterEach(async () => {
  await stopDemos();
  for (const { db, dir } of dbs.splice(0)) {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

async function setup(flavour: ProviderName, limits?: RestLimits) {
  const demo = await startDemo({ flavour });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-catchup-run-'));
  const db = openDatabase(path.join(dir, 'events.db'));
  dbs.push({ db, dir });
  const adapter = getAdapter(flavour);
  const store = new EventStore(db, Date.now, () => {}, (_account, event) => adapter.messageKey(event));
  const target = restTarget(adapter, { name: ACCOUNT, apiUrl: demo.restUrl }, KEY);
  const requests: string[] = [];
  const limitsAsked: number[] = [];
  const get: RestGet = (requestPath, query) => {
    requests.push(requestPath);
    if (typeof query?.limit === 'number' && requestPath.endsWith('/messages')) limitsAsked.push(query.limit);
    return restGetJson(target, requestPath, { ...(query && { query }), ...(limits && { limits }) });
  };
  const watermarks = new Map<string, number>();
  const commits: MailEvent[][] = [];
  const context = (overrides: Partial<RunContext> = {}): RunContext => ({
    api: adapter.catchUp,
    get,
    inboxIds: [],
    windowStart: () => 0,
    until: Number.POSITIVE_INFINITY,
    holds: (event) => store.holds(ACCOUNT, event),
    commit: (events) => {
      commits.push([...events]);
      return store.commit(ACCOUNT, events).stored.length;
    },
    listed: (inbox, at) => watermarks.set(inbox, at),
    commitEvery: 500,
    ...overrides,
  });
  return { demo, store, adapter, requests, limitsAsked, watermarks, commits, context };
}

const messageIds = (events: readonly MailEvent[]) => events.map((event) => event.message!.id);
const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();

describe('readPage', () => {
  const item = (at: number) => ({ at }) as CaughtItem;
  it('keeps what is inside the window and ends at the first mail before it, or at the last page', () => {
    expect(readPage([item(30), item(20)], 10, 'next')).toEqual({ fresh: [item(30), item(20)], done: false });
    expect(readPage([item(30), item(5)], 10, 'next')).toEqual({ fresh: [item(30)], done: true });
    expect(readPage([item(30)], 10, null)).toEqual({ fresh: [item(30)], done: true });
    expect(readPage([], 10, 'next')).toEqual({ fresh: [], done: true });
  });
});

describe.each(PROVIDERS)('a %s catch-up run', (flavour) => {
  it('recovers every inbound mail of every inbox once, each inbox oldest first, and raises the watermarks', async () => {
    const { demo, store, watermarks, context } = await setup(flavour);
    const sent = demo.emitMany(25);
    const report = await runCatchUp(context());
    expect(report).toEqual({ recovered: 25, skipped: 0, deferred: [], failure: null });
    const stored = store.after(0, 100);
    expect(stored.every((event) => event.delivery === 'catch_up')).toBe(true);
    for (const inbox of [INBOX_A, INBOX_B]) {
      expect(messageIds(stored.filter((event) => event.inbox_id === inbox))).toEqual(messageIds(sent.filter((event) => event.inbox_id === inbox)));
      const newest = sent.filter((event) => event.inbox_id === inbox).at(-1)!;
      expect(watermarks.get(inbox)).toBe(Date.parse(newest.message!.received_at!));
    }
    expect(await runCatchUp(context())).toEqual({ recovered: 0, skipped: 0, deferred: [], failure: null });
    expect(store.count()).toBe(25);
  });

  it('stops paging at mail older than the window start and takes none of it', async () => {
    const { demo, store, requests, context } = await setup(flavour);
    for (let i = 0; i < 230; i++) {
      const old = hoursAgo(3 - i / 1000);
      demo.emit({ inbox_id: INBOX_A, occurred_at: old, message: { id: `msg_old_${i}`, from: 'a@example.com', to: 'b@example.com', subject: `Old ${i}`, received_at: old } });
    }
    const fresh = demo.emitMany(6).filter((event) => event.inbox_id === INBOX_A);
    const report = await runCatchUp(context({ inboxIds: [INBOX_A], windowStart: () => Date.now() - 60_000 }));
    expect(report.recovered).toBe(fresh.length);
    expect(messageIds(store.after(0, 100))).toEqual(messageIds(fresh));
    // One page reaches the old mail (AgentMail filters by time on its side): never the whole mailbox.
    expect(requests.filter((request) => request.endsWith('/messages'))).toHaveLength(1);
  });

  it('goes on with the other inboxes when one is not found, and reports it', async () => {
    const { demo, store, context } = await setup(flavour);
    const sent = demo.emitMany(8);
    const report = await runCatchUp(context({ inboxIds: ['inb_gone', INBOX_A, INBOX_B] }));
    expect(report.failure).toMatchObject({ kind: 'not_found' });
    expect(report.recovered).toBe(8);
    expect(store.count()).toBe(sent.length);
  });

  it('shrinks its pages when a page is larger than the client takes', async () => {
    // AgentMail lists without bodies: its pages are smaller.
    const maxBytes = flavour === 'agentmail' ? 8 * 1024 : 24 * 1024;
    const { demo, store, limitsAsked, context } = await setup(flavour, { timeoutMs: 10_000, maxBytes });
    demo.emitMany(60);
    const report = await runCatchUp(context());
    expect(report).toEqual({ recovered: 60, skipped: 0, deferred: [], failure: null });
    expect(store.count()).toBe(60);
    expect(limitsAsked[0]).toBe(100);
    expect(Math.min(...limitsAsked)).toBeLessThan(30);
  });

  it('leaves mail newer than `until` that it does not hold to the socket, and keeps the watermark before it', async () => {
    const { demo, store, adapter, watermarks, context } = await setup(flavour);
    const older = Array.from({ length: 3 }, (_, i) => {
      const at = new Date(Date.now() - 60_000 + i).toISOString();
      return demo.emit({ inbox_id: INBOX_A, occurred_at: at, message: { id: `msg_older_${i}`, from: 'a@example.com', to: 'b@example.com', subject: `Older ${i}`, received_at: at } });
    });
    const recent = Array.from({ length: 4 }, () => demo.emit({ inbox_id: INBOX_A }));
    // One of the recent ones the socket has pushed already.
    const pushed = adapter.classify(JSON.stringify(pushFrame(flavour, recent[0]!, null, 'event', 0)));
    if (pushed.kind === 'event') store.commit(ACCOUNT, [pushed.event]);
    const report = await runCatchUp(context({ inboxIds: [INBOX_A], until: Date.now() - 30_000 }));
    expect(report).toMatchObject({ recovered: 3, skipped: 0, failure: null });
    expect(messageIds(report.deferred).sort()).toEqual(messageIds(recent.slice(1)).sort());
    expect(messageIds(store.after(1, 100))).toEqual(messageIds(older));
    expect(watermarks.get(INBOX_A)).toBe(Date.parse(older.at(-1)!.message!.received_at!));
  });

  it('commits in bounded batches, each oldest first', async () => {
    const { demo, commits, context } = await setup(flavour);
    demo.emitMany(12);
    await runCatchUp(context({ inboxIds: [INBOX_A, INBOX_B], commitEvery: 3 }));
    expect(commits.length).toBeGreaterThanOrEqual(4);
    for (const batch of commits) {
      expect(batch.length).toBeLessThanOrEqual(3);
      const times = batch.map((event) => Date.parse(event.occurred_at));
      expect(times).toEqual([...times].sort((a, b) => a - b));
    }
  });
});

describe('an AgentMail catch-up run', () => {
  it('fetches whole only the mail the account does not hold yet', async () => {
    const { demo, store, adapter, requests, context } = await setup('agentmail');
    const sent = demo.emitMany(10);
    // Half of it came by the socket already.
    for (const event of sent.slice(0, 5)) {
      const pushed = adapter.classify(JSON.stringify({ type: 'event', event_type: 'message.received', event_id: event.event_id, message: { inbox_id: event.inbox_id, message_id: event.message!.id, from: event.message!.from, to: [event.message!.to], subject: event.message!.subject, timestamp: event.message!.received_at } }));
      if (pushed.kind === 'event') store.commit(ACCOUNT, [pushed.event]);
    }
    expect(store.count()).toBe(5);
    const report = await runCatchUp(context());
    expect(report.recovered).toBe(5);
    const fetched = requests.filter((request) => /\/messages\/[^/]+$/.test(request)).map((request) => decodeURIComponent(request.split('/').at(-1)!));
    expect(fetched.sort()).toEqual(messageIds(sent.slice(5)).sort());
  });
});
