// The one waiter against a real store and hub: where a wait starts, what ends it, what a narrowed principal never
// sees, and that timeouts, cancellation and close() end it and leave nothing subscribed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MailEvent } from '../../../shared/event.ts';
import { OWNER, type Principal } from '../../../shared/principal.ts';
import { createEventHub, type EventHub } from '../../../daemon/hub.ts';
import { ConsumerStore } from '../../../daemon/store/consumers.ts';
import { openDatabase, type Database } from '../../../daemon/store/db.ts';
import { EventStore } from '../../../daemon/store/events.ts';
import { MailWaiter, unseenConsumer, type WaitSpec } from '../../../daemon/wait/waiter.ts';
import { ManualClock } from '../../support/manual-clock.ts';
import { mailEvent, mailEvents } from '../local-api/harness.ts';

let root: string;
let db: Database;
let hub: EventHub;
let events: EventStore;
let consumers: ConsumerStore;
let clock: ManualClock;
let waiter: MailWaiter;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-waiter-'));
  db = openDatabase(path.join(root, 'events.db'));
  const feed = createEventHub((error) => {
    throw error;
  });
  hub = feed.hub;
  events = new EventStore(db, Date.now, feed.publish);
  consumers = new ConsumerStore(db);
  clock = new ManualClock();
  waiter = new MailWaiter({ events, hub, consumers }, clock);
});

afterEach(() => {
  waiter.close();
  db.close();
  fs.rmSync(root, { recursive: true, force: true });
});

function mail(from: string, subject: string, overrides: Partial<MailEvent> = {}): MailEvent {
  const base = mailEvent(overrides);
  return { ...base, message: { ...base.message!, from, subject, body_text: `Body of ${subject}` } };
}

function spec(overrides: Partial<WaitSpec<true>> = {}): WaitSpec<true> {
  return { principal: OWNER, filter: {}, start: { kind: 'now' }, timeoutMs: 60_000, pick: () => true, ...overrides };
}

function commit(...batch: MailEvent[]): number[] {
  return events.commit('work', batch).stored.map((event) => event.seq);
}

describe('MailWaiter', () => {
  it('by default ignores mail committed before the call and answers with the next match as it commits', async () => {
    commit(mail('alerts@bank.example', 'Your code'));
    const waiting = waiter.wait(spec({ filter: { from: 'BANK.example' } }));
    commit(mail('news@shop.example', 'Sale'));
    const [seq] = commit(mail('Bank <alerts@bank.example>', 'Your code again'));
    const outcome = await waiting;
    expect(outcome).toMatchObject({ kind: 'found', nextSince: seq, record: { seq, account: 'work' } });
    expect(waiter.size).toBe(0);
  });

  it('from a seq, answers with earlier mail at once, the first match after that seq', async () => {
    const [first, second, third] = commit(mail('a@x.example', 'one'), mail('b@x.example', 'two'), mail('b@x.example', 'three'));
    const outcome = await waiter.wait(spec({ start: { kind: 'after', seq: first! }, filter: { from: 'b@' } }));
    expect(outcome).toMatchObject({ kind: 'found', record: { seq: second } });
    const next = await waiter.wait(spec({ start: { kind: 'after', seq: outcome.nextSince }, filter: { from: 'b@' } }));
    expect(next).toMatchObject({ kind: 'found', record: { seq: third } });
  });

  it('reads a long backlog page by page without missing what commits meanwhile', async () => {
    commit(...mailEvents(450, { inbox_id: 'inb_other' }));
    const waiting = waiter.wait(spec({ start: { kind: 'after', seq: 0 }, filter: { inboxId: 'inb_target' } }));
    const [seq] = commit(mail('a@x.example', 'late', { inbox_id: 'inb_target' }));
    expect(await waiting).toMatchObject({ kind: 'found', record: { seq } });
  });

  it('matches subject and body ignoring case, the account exactly, and lets pick pass mail over', async () => {
    const waiting = waiter.wait({
      ...spec({ filter: { subject: 'CODE', body: 'body OF', account: 'personal' } }),
      pick: (record) => (record.event.message?.subject.startsWith('Your code (wanted') ? true : null),
    });
    events.commit('work', [mail('a@x.example', 'Your code (wanted, wrong account)')]);
    events.commit('personal', [mail('a@x.example', 'Your code (not wanted)')]);
    const [seq] = events.commit('personal', [mail('a@x.example', 'Your code (wanted)')]).stored.map((event) => event.seq);
    expect(await waiting).toMatchObject({ kind: 'found', record: { seq, account: 'personal' } });
  });

  it('never ends a narrowed principal\'s wait with mail it may not see', async () => {
    const agent: Principal = { name: 'ci', owner: false, scopes: ['read'], inboxIds: ['inb_a'], allowSenders: ['*@github.com'] };
    const waiting = waiter.wait(spec({ principal: agent }));
    commit(mail('noreply@github.com', 'other inbox', { inbox_id: 'inb_b' }), mail('evil@github.com.example', 'lookalike'));
    commit(mail('Mallory <mallory@evil.example> noreply@github.com', 'display-name trick'));
    const [seq] = commit(mail('GitHub <noreply@github.com>', 'yours'));
    expect(await waiting).toMatchObject({ kind: 'found', record: { seq } });
  });

  it('times out as a normal outcome that says where to continue', async () => {
    const waiting = waiter.wait(spec({ filter: { from: 'nobody@' }, timeoutMs: 30_000 }));
    const [seq] = commit(mail('a@x.example', 'not it'));
    clock.advance(29_999);
    expect(waiter.size).toBe(1);
    clock.advance(1);
    expect(await waiting).toEqual({ kind: 'timeout', nextSince: seq, waitedMs: 30_000 });
    expect(hub.listenerCount).toBe(0);
  });

  it('reports progress at once and then at each interval, and stops when the wait ends', async () => {
    const reports: number[] = [];
    const waiting = waiter.wait(spec({ timeoutMs: 12_000, progress: { everyMs: 5_000, report: (elapsed) => reports.push(elapsed) } }));
    clock.advance(12_000);
    await waiting;
    clock.advance(20_000);
    expect(reports).toEqual([0, 5_000, 10_000]);
  });

  it('ends on abort, and an already aborted signal never subscribes', async () => {
    const controller = new AbortController();
    const waiting = waiter.wait(spec({ signal: controller.signal }));
    expect(hub.listenerCount).toBe(1);
    controller.abort();
    expect(await waiting).toMatchObject({ kind: 'cancelled' });
    expect(hub.listenerCount).toBe(0);
    expect(await waiter.wait(spec({ signal: AbortSignal.abort() }))).toMatchObject({ kind: 'cancelled' });
    expect(hub.listenerCount).toBe(0);
    expect(waiter.size).toBe(0);
  });

  it('close() ends every running wait', async () => {
    const waits = [waiter.wait(spec()), waiter.wait(spec({ filter: { from: 'x' } }))];
    waiter.close();
    expect((await Promise.all(waits)).map((outcome) => outcome.kind)).toEqual(['cancelled', 'cancelled']);
    expect(hub.listenerCount).toBe(0);
  });

  describe('since "unseen"', () => {
    it('starts where the session began the first time, then after the last mail a wait gave', async () => {
      const [before] = commit(mail('a@x.example', 'before the session'));
      const sessionStart = events.latestSeq();
      const [missed] = commit(mail('a@x.example', 'arrived before the call'));
      const first = await waiter.wait(spec({ start: { kind: 'unseen', fallback: sessionStart } }));
      expect(first).toMatchObject({ kind: 'found', record: { seq: missed } });
      expect(consumers.get(unseenConsumer(OWNER))).toBe(missed);
      expect(before).toBeLessThan(missed!);

      // Given once, never again; mail that came while the agent was busy is next.
      const [busy] = commit(mail('a@x.example', 'arrived while busy'));
      const second = await waiter.wait(spec({ start: { kind: 'unseen', fallback: 0 } }));
      expect(second).toMatchObject({ kind: 'found', record: { seq: busy } });
    });

    it('counts mail any wait gave once the principal keeps a record, and keeps none before', async () => {
      const waiting = waiter.wait(spec());
      commit(mail('a@x.example', 'given by a plain wait'));
      await waiting;
      expect(consumers.get(unseenConsumer(OWNER))).toBeNull();

      const [first] = commit(mail('a@x.example', 'first unseen'));
      await waiter.wait(spec({ start: { kind: 'unseen', fallback: first! - 1 } }));
      const plain = waiter.wait(spec());
      const [given] = commit(mail('a@x.example', 'given by a plain wait, recorded'));
      await plain;
      expect(consumers.get(unseenConsumer(OWNER))).toBe(given);
      const unseen = waiter.wait(spec({ start: { kind: 'unseen', fallback: 0 }, timeoutMs: 1_000 }));
      clock.advance(1_000);
      expect(await unseen).toMatchObject({ kind: 'timeout' });
    });

    it('names one consumer per principal, hashing names a consumer may not carry', () => {
      expect(unseenConsumer(OWNER)).toBe('waits.owner');
      expect(unseenConsumer({ ...OWNER, name: 'a name with spaces' })).toMatch(/^waits\.[0-9a-f]{16}$/);
    });
  });
});
