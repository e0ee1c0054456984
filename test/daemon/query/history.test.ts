// The query module against a real SQLite store: one page rule, one item shape, coded errors for bad queries.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CodedError } from '../../../shared/errors.ts';
import type { Principal } from '../../../shared/principal.ts';
import { eventItem, historyPage } from '../../../daemon/query/history.ts';
import { openDatabase, type Database } from '../../../daemon/store/db.ts';
import { EventStore } from '../../../daemon/store/events.ts';
import { mailEvents } from '../local-api/harness.ts';

let root: string;
let db: Database;
let events: EventStore;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-query-'));
  db = openDatabase(path.join(root, 'events.db'));
  events = new EventStore(db, () => Date.parse('2026-11-23T10:00:00.000Z'));
});

afterEach(() => {
  db.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('historyPage', () => {
  it('answers 50 items by default, newest first, with next_before while a full page may have more', () => {
    events.commit('work', mailEvents(120));
    const first = historyPage(events, {});
    expect(first.items).toHaveLength(50);
    expect(first.items[0]?.seq).toBe(120);
    expect(first.next_before).toBe(71);
    const last = historyPage(events, { before: 21, limit: 50 });
    expect(last.items.map((item) => item.seq)).toEqual(Array.from({ length: 20 }, (_, i) => 20 - i));
    expect(last.next_before).toBeNull();
  });

  it('allows 500 items and refuses more with a coded bad_request, never clamping', () => {
    events.commit('work', mailEvents(3));
    expect(historyPage(events, { limit: 500 }).items).toHaveLength(3);
    for (const limit of [501, 0, 2.5]) {
      expect(() => historyPage(events, { limit })).toThrow(CodedError);
      expect(() => historyPage(events, { limit })).toThrow('limit must be an integer from 1 to 500');
    }
    expect(() => historyPage(events, { limit: 501 })).toThrow(expect.objectContaining({ code: 'bad_request', status: 400 }));
  });

  it('treats empty filters as none, and refuses fields it does not know', () => {
    const [stored] = events.commit('work', mailEvents(1)).stored;
    expect(historyPage(events, { q: '', account: '', inbox_id: '', event_type: '' }).items.map((item) => item.seq)).toEqual([stored?.seq]);
    expect(() => historyPage(events, { wat: 1 } as never)).toThrow(CodedError);
  });
});

describe('eventItem', () => {
  it('gives one event in the history item shape, or null', () => {
    const [stored] = events.commit('home', mailEvents(1)).stored;
    expect(eventItem(events, stored!.seq)).toEqual({
      seq: stored!.seq,
      account: 'home',
      stored_at: '2026-11-23T10:00:00.000Z',
      event: historyPage(events, {}).items[0]?.event,
    });
    expect(eventItem(events, 999)).toBeNull();
    expect(() => eventItem(events, 0)).toThrow('seq must be a positive integer');
  });
});

describe('a narrowed principal', () => {
  const agent: Principal = { name: 'agent', owner: false, scopes: ['read'], inboxIds: ['inb_b'], allowSenders: [] };

  it('gets full pages of only its own mail, paging past what it may not see', () => {
    for (let i = 0; i < 30; i += 1) events.commit('work', [...mailEvents(3, { inbox_id: 'inb_a' }), ...mailEvents(1, { inbox_id: 'inb_b' })]);
    const first = historyPage(events, { limit: 10 }, agent);
    expect(first.items).toHaveLength(10);
    expect(first.items.every((item) => item.event.inbox_id === 'inb_b')).toBe(true);
    const seen = [...first.items];
    let next = first.next_before;
    while (next !== null) {
      const page = historyPage(events, { limit: 10, before: next }, agent);
      seen.push(...page.items);
      next = page.next_before;
    }
    expect(seen.map((item) => item.seq)).toEqual(historyPage(events, { limit: 500, inbox_id: 'inb_b' }).items.map((item) => item.seq));
    expect(seen).toHaveLength(30);
  });

  it('does not get a single event it may not see', () => {
    const [a, b] = events.commit('work', [...mailEvents(1, { inbox_id: 'inb_a' }), ...mailEvents(1, { inbox_id: 'inb_b' })]).stored;
    expect(eventItem(events, a!.seq, agent)).toBeNull();
    expect(eventItem(events, b!.seq, agent)?.seq).toBe(b!.seq);
  });
});
