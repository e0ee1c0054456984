// Commit batching against a real SQLite store in a temp dir.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MailEvent } from '../../../shared/event.ts';
import { SampleGenerator } from '../../../daemon/demo/samples.ts';
import { openDatabase } from '../../../daemon/store/db.ts';
import { EventStore, type CommitResult } from '../../../daemon/store/events.ts';
import { CommitBatch } from '../../../daemon/upstream/commit-batch.ts';

const ACCOUNT = 'acct';
const cleanups: (() => void)[] = [];

afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-batch-'));
  const db = openDatabase(path.join(dir, 'events.db'));
  cleanups.push(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const store = new EventStore(db);
  const transactions: { events: string[]; cursor: string | null }[] = [];
  const committed: { cursor: string | null; result: CommitResult }[] = [];
  const failures: { error: unknown; count: number }[] = [];
  let cursor: string | null = null;
  const batch = new CommitBatch({
    commit: (events, at) => {
      transactions.push({ events: events.map((e) => e.event_id), cursor: at });
      return store.commit(ACCOUNT, events, at);
    },
    cursor: () => cursor,
    committed: (at, result) => committed.push({ cursor: at, result }),
    failed: (error, count) => failures.push({ error, count }),
  });
  const samples = new SampleGenerator({ seed: 3 });
  const add = (event: MailEvent = samples.next()) => {
    batch.add(event);
    cursor = event.event_id;
    return event;
  };
  return { store, batch, add, samples, transactions, committed, failures };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('CommitBatch', () => {
  it('stores the events of one read in one transaction, with the cursor that may follow them', async () => {
    const { store, add, transactions, committed } = setup();
    const sent = [add(), add(), add()];
    expect(store.count()).toBe(0);
    await nextTurn();
    expect(transactions).toEqual([{ events: sent.map((e) => e.event_id), cursor: sent[2]!.event_id }]);
    expect(store.cursor(ACCOUNT)).toBe(sent[2]!.event_id);
    expect(committed.map((c) => [c.cursor, c.result.stored.length, c.result.duplicates])).toEqual([[sent[2]!.event_id, 3, 0]]);
  });

  it('commits at once on flush, leaving nothing for the deferred commit', async () => {
    const { store, batch, add, transactions } = setup();
    add();
    add();
    batch.flush();
    expect(store.count()).toBe(2);
    await nextTurn();
    expect(transactions).toHaveLength(1);
    add();
    await nextTurn();
    expect(transactions).toHaveLength(2);
    expect(store.count()).toBe(3);
  });

  it('reports duplicates the store skipped', async () => {
    const { add, committed } = setup();
    const event = add();
    add(event);
    await nextTurn();
    expect(committed[0]!.result).toMatchObject({ duplicates: 1 });
    expect(committed[0]!.result.stored).toHaveLength(1);
  });

  it('reports a batch the store refused and drops it, so the cursor stays behind it', async () => {
    const { store, add, samples, failures, committed } = setup();
    const kept = add();
    await nextTurn();
    add();
    add({ ...samples.next(), event_id: '' });
    await nextTurn();
    expect(failures).toHaveLength(1);
    expect(failures[0]!.count).toBe(2);
    expect(store.count()).toBe(1);
    expect(store.cursor(ACCOUNT)).toBe(kept.event_id);
    const next = add();
    await nextTurn();
    expect(committed.map((c) => c.result.stored.map((e) => e.event_id))).toEqual([[kept.event_id], [next.event_id]]);
  });
});
