import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MailEvent } from '../../../shared/event.ts';
import { ConsumerInputError, ConsumerStore } from '../../../daemon/store/consumers.ts';
import { openDatabase, type Database } from '../../../daemon/store/db.ts';
import { EventStore } from '../../../daemon/store/events.ts';

let dir: string;
let file: string;
const open: Database[] = [];
let now = 0;

function openStores(): { db: Database; events: EventStore; consumers: ConsumerStore } {
  const db = openDatabase(file);
  open.push(db);
  return { db, events: new EventStore(db), consumers: new ConsumerStore(db, () => now) };
}

function commit(events: EventStore, n: number): void {
  const start = events.latestSeq();
  const batch: MailEvent[] = Array.from({ length: n }, (_, i) => ({
    event: 'message.received',
    event_id: `evt_${start + i + 1}`,
    occurred_at: '2026-02-24T10:05:00.000Z',
    inbox_id: 'inb_1',
  }));
  events.commit('work', batch);
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-consumers-'));
  file = path.join(dir, 'events.sqlite');
  now = Date.parse('2026-03-01T12:00:00.000Z');
});

afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('ConsumerStore', () => {
  it('knows no position for a consumer that never acknowledged', () => {
    const { consumers } = openStores();
    expect(consumers.get('agent')).toBeNull();
  });

  it('moves a position forward only; a stale ack leaves it where it is', () => {
    const { events, consumers } = openStores();
    commit(events, 5);
    expect(consumers.ack('agent', 3)).toBe(3);
    expect(consumers.ack('agent', 2)).toBe(3);
    expect(consumers.get('agent')).toBe(3);
    expect(consumers.ack('agent', 5)).toBe(5);
  });

  it('refuses an ack past the latest committed event with a bad-request error', () => {
    const { events, consumers } = openStores();
    expect(consumers.ack('agent', 0)).toBe(0);
    commit(events, 2);
    const error = (() => {
      try {
        consumers.ack('agent', 3);
      } catch (caught) {
        return caught;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(ConsumerInputError);
    expect(error).toMatchObject({ code: 'bad_request' });
    expect(consumers.get('agent')).toBe(0);
    for (const bad of [-1, 1.5, Number.NaN]) expect(() => consumers.ack('agent', bad)).toThrow(ConsumerInputError);
  });

  it('refuses names outside letters, digits, dot, underscore and dash, up to 64 characters', () => {
    const { consumers } = openStores();
    for (const name of ['', 'a b', 'a/b', 'é', 'x'.repeat(65), '../etc']) {
      expect(() => consumers.ack(name, 0), name).toThrow(ConsumerInputError);
      expect(() => consumers.get(name), name).toThrow(ConsumerInputError);
      expect(() => consumers.remove(name), name).toThrow(ConsumerInputError);
    }
    expect(consumers.ack('My-agent_1.v2', 0)).toBe(0);
    expect(consumers.ack('x'.repeat(64), 0)).toBe(0);
  });

  it('lists consumers by name with the committed events each has yet to acknowledge', () => {
    const { events, consumers } = openStores();
    commit(events, 10);
    consumers.ack('b-agent', 4);
    now += 60_000;
    consumers.ack('a-agent', 10);
    expect(consumers.list(events.latestSeq())).toEqual([
      { name: 'a-agent', ackedSeq: 10, lag: 0, updatedAt: '2026-03-01T12:01:00.000Z' },
      { name: 'b-agent', ackedSeq: 4, lag: 6, updatedAt: '2026-03-01T12:00:00.000Z' },
    ]);
  });

  it('counts lag in events that exist, not in seq numbers freed by retention', () => {
    const { events, consumers } = openStores();
    commit(events, 10);
    events.applyRetention({ maxAgeMs: null, maxEvents: 4, now: 0, protectAfterSeq: 10 });
    consumers.ack('late', 0);
    expect(consumers.list(events.latestSeq())).toMatchObject([{ name: 'late', lag: 4 }]);
  });

  it('reports the lowest acknowledged position, and null once no consumer remains', () => {
    const { events, consumers } = openStores();
    commit(events, 10);
    expect(consumers.minAcked()).toBeNull();
    consumers.ack('fast', 9);
    consumers.ack('slow', 2);
    expect(consumers.minAcked()).toBe(2);
    expect(consumers.remove('slow')).toBe(true);
    expect(consumers.remove('slow')).toBe(false);
    expect(consumers.minAcked()).toBe(9);
    consumers.remove('fast');
    expect(consumers.minAcked()).toBeNull();
  });

  it('keeps positions across reopening', () => {
    const first = openStores();
    commit(first.events, 3);
    first.consumers.ack('agent', 2);
    first.db.close();
    expect(openStores().consumers.get('agent')).toBe(2);
  });
});
