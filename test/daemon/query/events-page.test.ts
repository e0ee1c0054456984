// Where an agent's read starts and what page it gets, against a real SQLite store.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventsPage, eventsRead } from '../../../daemon/query/events-page.ts';
import { ConsumerStore } from '../../../daemon/store/consumers.ts';
import { openDatabase, type Database } from '../../../daemon/store/db.ts';
import { EventStore } from '../../../daemon/store/events.ts';
import { mailEvent, mailEvents } from '../local-api/harness.ts';

let root: string;
let db: Database;
let events: EventStore;
let consumers: ConsumerStore;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-events-page-'));
  db = openDatabase(path.join(root, 'events.db'));
  events = new EventStore(db);
  consumers = new ConsumerStore(db);
});

afterEach(() => {
  db.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('eventsRead and eventsPage', () => {
  it('starts at 0 with 100 events a page, and next_after continues where the page stopped', () => {
    events.commit('work', mailEvents(150));
    const read = eventsRead(consumers, {});
    expect(read).toEqual({ after: 0, limit: 100, filter: { inboxId: undefined, eventType: undefined } });
    const page = eventsPage(events, read);
    expect(page.events).toHaveLength(100);
    expect(page.next_after).toBe(100);
    expect(eventsPage(events, eventsRead(consumers, { after: 150 }))).toEqual({ events: [], next_after: 150 });
  });

  it('resumes a named consumer from its ack unless after is given, and filters', () => {
    events.commit('work', [mailEvent(), mailEvent({ inbox_id: 'inb_b' }), mailEvent()]);
    consumers.ack('agent', 1);
    expect(eventsPage(events, eventsRead(consumers, { consumer: 'agent' })).events.map((e) => e.seq)).toEqual([2, 3]);
    expect(eventsPage(events, eventsRead(consumers, { consumer: 'agent', after: 0 })).events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(eventsPage(events, eventsRead(consumers, { inbox_id: 'inb_b' })).events.map((e) => e.seq)).toEqual([2]);
  });

  it('refuses a limit above 1000 and a bad consumer name with a coded bad_request', () => {
    expect(() => eventsRead(consumers, { limit: 1001 })).toThrow(expect.objectContaining({ code: 'bad_request' }));
    expect(() => eventsRead(consumers, { consumer: 'has space' })).toThrow(expect.objectContaining({ code: 'bad_request' }));
  });
});

describe('eventsPage for a narrowed principal', () => {
  it('hands over only the mail it may see and moves next_after past the rest', () => {
    events.commit('work', [mailEvent({ inbox_id: 'inb_a' }), mailEvent({ inbox_id: 'inb_b' }), mailEvent({ inbox_id: 'inb_a' })]);
    const agent = { name: 'agent', owner: false, scopes: ['read'] as const, inboxIds: ['inb_b'], allowSenders: [] };
    const page = eventsPage(events, eventsRead(consumers, {}), agent);
    expect(page.events.map((event) => event.inbox_id)).toEqual(['inb_b']);
    expect(page.next_after).toBe(3);
  });

  it('reads on past pages of mail it may not see, and stops at a full page of its own', () => {
    events.commit('work', [...mailEvents(5, { inbox_id: 'inb_a' }), ...mailEvents(3, { inbox_id: 'inb_b' }), mailEvent({ inbox_id: 'inb_a' })]);
    const agent = { name: 'agent', owner: false, scopes: ['read'] as const, inboxIds: ['inb_b'], allowSenders: [] };
    const full = eventsPage(events, eventsRead(consumers, { limit: 2 }), agent);
    expect(full).toEqual({ events: [expect.objectContaining({ seq: 6 }), expect.objectContaining({ seq: 7 })], next_after: 7 });
    expect(eventsPage(events, eventsRead(consumers, { after: 7, limit: 2 }), agent)).toEqual({ events: [expect.objectContaining({ seq: 8 })], next_after: 9 });
  });
});
