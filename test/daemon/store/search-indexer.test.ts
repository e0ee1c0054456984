import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MailEvent } from '../../../shared/event.ts';
import { openDatabase, type Database } from '../../../daemon/store/db.ts';
import { EventStore } from '../../../daemon/store/events.ts';
import { SearchIndexer, type SearchIndexerPolicy } from '../../../daemon/store/search-indexer.ts';
import { ManualClock } from '../../support/manual-clock.ts';

const POLICY: SearchIndexerPolicy = { delayMs: 100, batch: 10, retryMs: 5_000 };

let dir: string;
let db: Database;
let store: EventStore;
let clock: ManualClock;
let errors: unknown[];
let indexer: SearchIndexer;
let next = 1;

function mail(id: string): MailEvent {
  return { event: 'message.received', event_id: id, occurred_at: '2026-01-01T00:00:00Z', inbox_id: 'inb_1' };
}

function commit(n: number): void {
  store.commit('work', Array.from({ length: n }, () => mail(`evt_${next++}`)));
  indexer.noteCommitted();
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-indexer-'));
  db = openDatabase(path.join(dir, 'events.db'));
  store = new EventStore(db);
  clock = new ManualClock();
  errors = [];
  indexer = new SearchIndexer(store, POLICY, clock, (error) => errors.push(error));
});

afterEach(() => {
  indexer.stop();
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('SearchIndexer', () => {
  it('indexes a commit shortly after it, not inside it', () => {
    commit(3);
    expect(store.searchLag()).toBe(3);
    clock.advance(POLICY.delayMs - 1);
    expect(store.searchLag()).toBe(3);
    clock.advance(1);
    expect(store.searchLag()).toBe(0);
    expect(clock.pendingCount).toBe(0);
  });

  it('takes a burst in batches, pausing between them while events still arrive and not once they stop', () => {
    commit(45);
    clock.advance(POLICY.delayMs);
    expect(store.searchLag()).toBe(35);
    commit(5);
    // Still busy: the next batch waits.
    clock.advance(POLICY.delayMs - 1);
    expect(store.searchLag()).toBe(40);
    clock.advance(1);
    expect(store.searchLag()).toBe(30);
    // Quiet since that pass: after one more pause, all the rest goes at once.
    clock.advance(POLICY.delayMs);
    expect(store.searchLag()).toBe(0);
    expect(clock.pendingCount).toBe(0);
  });

  it('catches up at start with what an earlier run left unindexed', () => {
    store.commit('work', [mail('evt_old')]);
    indexer.start();
    clock.advance(0);
    expect(store.searchLag()).toBe(0);
  });

  it('reports a failed pass and tries again later without a new commit', () => {
    let fail = true;
    const flaky = new SearchIndexer(
      {
        indexPending: (max) => {
          if (fail) throw new Error('database or disk is full');
          return store.indexPending(max);
        },
      },
      POLICY,
      clock,
      (error) => errors.push(error),
    );
    store.commit('work', [mail('evt_full')]);
    flaky.noteCommitted();
    clock.advance(POLICY.delayMs);
    expect(errors).toHaveLength(1);
    fail = false;
    clock.advance(POLICY.retryMs);
    expect(store.searchLag()).toBe(0);
    flaky.stop();
  });

  it('does nothing once stopped', () => {
    commit(1);
    indexer.stop();
    indexer.noteCommitted();
    clock.advance(10 * POLICY.delayMs);
    expect(store.searchLag()).toBe(1);
    expect(clock.pendingCount).toBe(0);
  });
});
