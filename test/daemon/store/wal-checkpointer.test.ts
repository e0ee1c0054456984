import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../daemon/store/db.ts';
import { EventStore } from '../../../daemon/store/events.ts';
import { WalCheckpointer } from '../../../daemon/store/wal-checkpointer.ts';
import { ManualClock } from '../../support/manual-clock.ts';

const IDLE_MS = 250;

let dir: string;
let file: string;
let db: Database;
let store: EventStore;
let clock: ManualClock;
let checkpointer: WalCheckpointer;
let next = 1;

// A checkpoint copies the WAL's pages into the database file: its size is what shows one happened.
const databaseBytes = () => fs.statSync(file).size;

function commit(): void {
  store.commit('work', [{ event: 'message.received', event_id: `evt_${next++}`, occurred_at: '2026-01-01T00:00:00Z', inbox_id: 'inb_1' }]);
  checkpointer.noteWrite();
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-checkpoint-'));
  file = path.join(dir, 'events.db');
  db = openDatabase(file);
  store = new EventStore(db);
  clock = new ManualClock();
  checkpointer = new WalCheckpointer(db, { idleMs: IDLE_MS }, clock, (error) => {
    throw error;
  });
});

afterEach(() => {
  checkpointer.stop();
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('WalCheckpointer', () => {
  it('checkpoints once the store has been quiet for a while, not at the commit', () => {
    const before = databaseBytes();
    commit();
    expect(databaseBytes()).toBe(before);
    clock.advance(IDLE_MS - 1);
    expect(databaseBytes()).toBe(before);
    clock.advance(1);
    expect(databaseBytes()).toBeGreaterThan(before);
    expect(clock.pendingCount).toBe(0);
  });

  it('waits while any writer of the store keeps writing', () => {
    const before = databaseBytes();
    commit();
    clock.advance(IDLE_MS / 2);
    // A write the checkpointer is not told about (a consumer's ack) counts as activity all the same.
    db.prepare('INSERT INTO consumers (name, acked_seq, updated_at) VALUES (?, 1, 0)').run('agent');
    clock.advance(IDLE_MS / 2);
    expect(databaseBytes()).toBe(before);
    clock.advance(IDLE_MS);
    expect(databaseBytes()).toBeGreaterThan(before);
  });

  it('does nothing once stopped', () => {
    const before = databaseBytes();
    commit();
    checkpointer.stop();
    commit();
    clock.advance(10 * IDLE_MS);
    expect(databaseBytes()).toBe(before);
    expect(clock.pendingCount).toBe(0);
  });
});
