// The parking structure on its own, for what is impractical through sockets: thousands of clients that
// hang up, and what remains after the cleanup that follows.
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import type { ServerResponse } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventsResponse } from '../../../shared/local-api.ts';
import { OWNER } from '../../../shared/principal.ts';
import { createEventHub, type EventHub } from '../../../daemon/hub.ts';
import { LongPolls } from '../../../daemon/local-api/long-poll.ts';
import { openDatabase, type Database } from '../../../daemon/store/db.ts';
import { EventStore } from '../../../daemon/store/events.ts';
import { waitFor } from '../../support/wait-for.ts';
import { mailEvent } from './harness.ts';

/** Just enough of a ServerResponse to be parked, answered and closed. */
class FakeResponse extends EventEmitter {
  status = 0;
  body: EventsResponse | null = null;

  writeHead(status: number): this {
    this.status = status;
    return this;
  }

  end(body: string): this {
    this.body = JSON.parse(body) as EventsResponse;
    return this;
  }
}

const park = (polls: LongPolls, waitMs: number, after = 0): FakeResponse => {
  const res = new FakeResponse();
  polls.park(res as unknown as ServerResponse, { after, limit: 10, filter: {}, principal: OWNER, waitMs });
  return res;
};

let root: string;
let db: Database;
let hub: EventHub;
let events: EventStore;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-long-poll-'));
  db = openDatabase(path.join(root, 'events.db'));
  const feed = createEventHub((error) => {
    throw error;
  });
  hub = feed.hub;
  // Committed through the store, which publishes: the engine's one write path.
  events = new EventStore(db, Date.now, feed.publish);
});

afterEach(() => {
  db.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('LongPolls', () => {
  it('forgets thousands of clients that hang up, and still expires and answers the ones left', async () => {
    const polls = new LongPolls(hub);
    const gone = Array.from({ length: 3000 }, () => park(polls, 60_000));
    const expiring = Array.from({ length: 5 }, () => park(polls, 50));
    const woken = park(polls, 60_000);
    for (const res of gone) res.emit('close');
    expect(polls.size).toBe(6);
    expect(hub.listenerCount).toBe(1);

    await waitFor(() => expiring.every((res) => res.body !== null), 5_000, 'the short waits to expire');
    for (const res of expiring) expect(res.body).toEqual({ events: [], next_after: 0 });
    expect(woken.body).toBeNull();

    events.commit('work', [mailEvent()]);
    expect(woken.body?.events.map((e) => e.seq)).toEqual([1]);
    expect(gone.every((res) => res.body === null)).toBe(true);
    expect(polls.size).toBe(0);
    polls.close();
    expect(hub.listenerCount).toBe(0);
  });

  it('answers everyone with an empty page on close', () => {
    const polls = new LongPolls(hub);
    const waiting = [park(polls, 60_000, 7), park(polls, 60_000, 9)];
    polls.close();
    expect(waiting.map((res) => res.body)).toEqual([
      { events: [], next_after: 7 },
      { events: [], next_after: 9 },
    ]);
    events.commit('work', [mailEvent()]);
    expect(waiting[0]?.body?.events).toEqual([]);
  });
});
