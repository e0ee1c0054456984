// The hub's publishing side belongs to the store's commit path: listeners hear of events only once they are stored.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../shared/event.ts';
import { createEventHub, type EventHub } from '../../daemon/hub.ts';
import { openDatabase, type Database } from '../../daemon/store/db.ts';
import { EventStore } from '../../daemon/store/events.ts';
import { mailEvent, mailEvents } from './local-api/harness.ts';

let root: string;
let db: Database;
let hub: EventHub;
let events: EventStore;
const failures: unknown[] = [];

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-hub-'));
  db = openDatabase(path.join(root, 'events.db'));
  failures.length = 0;
  const feed = createEventHub((error) => failures.push(error));
  hub = feed.hub;
  events = new EventStore(db, Date.now, feed.publish);
});

afterEach(() => {
  db.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('the commit path publishes', () => {
  it('each committed batch once, after it is in the store, and nothing for duplicates', () => {
    const heard: { seqs: number[]; stored: boolean[] }[] = [];
    hub.onCommitted((batch) => heard.push({ seqs: batch.map((e) => e.seq), stored: batch.map((e) => events.get(e.seq) !== null) }));
    const batch = mailEvents(2);
    events.commit('work', batch);
    events.commit('work', batch);
    expect(heard).toEqual([{ seqs: [1, 2], stored: [true, true] }]);
  });

  it('keeps feeding the other listeners when one throws, and reports the failure', () => {
    const heard: StoredEvent[] = [];
    const boom = new Error('listener broke');
    hub.onCommitted(() => {
      throw boom;
    });
    const off = hub.onCommitted((batch) => heard.push(...batch));
    events.commit('work', [mailEvent()]);
    expect(heard.map((e) => e.seq)).toEqual([1]);
    expect(failures).toEqual([boom]);
    off();
    expect(hub.listenerCount).toBe(1);
  });
});
