import { describe, expect, it } from 'vitest';
import type { NotificationSettings } from '../../shared/settings.ts';
import { DEFAULT_NOTIFICATION_POLICY, NotificationPolicy, isPaused, type Notice } from '../../electron/notification-policy.ts';
import { ManualClock } from '../support/manual-clock.ts';
import { mail } from './fixtures.ts';

const ON: NotificationSettings = { enabled: true, mutedInboxes: [], pausedUntil: null };

function setup() {
  const clock = new ManualClock(Date.parse('2026-03-03T14:30:00.000Z'));
  const shown: Notice[] = [];
  const policy = new NotificationPolicy(DEFAULT_NOTIFICATION_POLICY, clock, (notice) => shown.push(notice));
  return { clock, shown, policy, at: (offsetMs: number) => clock.now() + offsetMs };
}

describe('NotificationPolicy: one notification per new mail', () => {
  it('shows a lone mail once the burst window is over: sender as title, subject and snippet as body, the mail as target', () => {
    const { clock, shown, policy } = setup();
    policy.offer([mail(1, { from: '"Jane Doe" <jane@example.com>', subject: 'Re: Your order', body: 'Thanks\n\nfor   the order.' })], ON);
    clock.advance(1_999);
    expect(shown).toEqual([]);
    clock.advance(1);
    expect(shown).toEqual([{ title: 'Jane Doe', body: 'Re: Your order\nThanks for the order.', target: { kind: 'event', seq: 1 } }]);
  });

  it('cuts a long body to a snippet and copes with a mail without subject or body', () => {
    const { clock, shown, policy } = setup();
    policy.offer([mail(1, { body: 'word '.repeat(200), subject: '' })], ON);
    clock.advance(2_000);
    const [notice] = shown;
    expect(notice!.body.startsWith('(no subject)\nword word')).toBe(true);
    expect([...notice!.body.split('\n')[1]!].length).toBeLessThanOrEqual(DEFAULT_NOTIFICATION_POLICY.snippetChars);
    expect(notice!.body.endsWith('…')).toBe(true);
    const { clock: c2, shown: s2, policy: p2 } = setup();
    p2.offer([{ ...mail(2), message: { id: 'm', from: '', to: 'x', subject: '' } }], ON);
    c2.advance(2_000);
    expect(s2[0]).toMatchObject({ title: 'inb_main', body: '(no subject)' });
  });

  it('shows mails that arrive apart as separate notifications', () => {
    const { clock, shown, policy } = setup();
    policy.offer([mail(1)], ON);
    clock.advance(5_000);
    policy.offer([mail(2)], ON);
    clock.advance(5_000);
    expect(shown.map((n) => n.target)).toEqual([
      { kind: 'event', seq: 1 },
      { kind: 'event', seq: 2 },
    ]);
  });

  it('ignores events that are not new mail', () => {
    const { clock, shown, policy } = setup();
    policy.offer([mail(1, { event: 'inbox.suspended' }), mail(2, { event: 'message.sent' })], ON);
    clock.advance(10_000);
    expect(shown).toEqual([]);
  });
});

describe('NotificationPolicy: bursts', () => {
  it('turns mails within 2 s of each other into one "N new messages" that opens the list', () => {
    const { clock, shown, policy } = setup();
    policy.offer([mail(1, { from: 'a@x.com' })], ON);
    clock.advance(1_500);
    policy.offer([mail(2, { from: 'b@x.com' }), mail(3, { from: 'a@x.com' })], ON);
    clock.advance(1_500);
    policy.offer([mail(4, { from: 'c@x.com' })], ON);
    clock.advance(1_999);
    expect(shown).toEqual([]);
    clock.advance(1);
    expect(shown).toEqual([{ title: '4 new messages', body: 'From a@x.com, b@x.com and 1 other', target: { kind: 'list' } }]);
  });

  it('names both senders of a two-sender burst', () => {
    const { clock, shown, policy } = setup();
    policy.offer([mail(1, { from: 'a@x.com' }), mail(2, { from: 'b@x.com' })], ON);
    clock.advance(2_000);
    expect(shown[0]!.body).toBe('From a@x.com and b@x.com');
  });

  it('still reports a steady stream after at most 8 s', () => {
    const { clock, shown, policy } = setup();
    for (let seq = 1; seq <= 10; seq++) {
      policy.offer([mail(seq)], ON);
      clock.advance(1_000);
    }
    expect(shown.map((n) => n.title)).toEqual(['8 new messages']);
    clock.advance(2_000);
    expect(shown.map((n) => n.title)).toEqual(['8 new messages', '2 new messages']);
  });
});

describe('NotificationPolicy: backlog after a wake or reconnect', () => {
  it('summarises mail that happened before the wake as "N messages while you were away"', () => {
    const { clock, shown, policy, at } = setup();
    const before = at(-30 * 60_000);
    policy.markAwake();
    clock.advance(3_000);
    policy.offer([mail(1, { occurredAt: before, from: 'a@x.com' }), mail(2, { occurredAt: before + 1, from: 'b@x.com' })], ON);
    clock.advance(500);
    policy.offer([mail(3, { occurredAt: before + 2, from: 'a@x.com' })], ON);
    clock.advance(2_000);
    expect(shown).toEqual([{ title: '3 messages while you were away', body: 'From a@x.com and b@x.com', target: { kind: 'list' } }]);
  });

  it('reports a replayed mail and a fresh one separately', () => {
    const { clock, shown, policy, at } = setup();
    policy.markAwake();
    clock.advance(1_000);
    policy.offer([mail(1, { occurredAt: at(-60_000) }), mail(2, { occurredAt: at(-50_000) }), mail(3, { occurredAt: at(0) })], ON);
    clock.advance(2_000);
    expect(shown.map((n) => n.title)).toEqual(['2 messages while you were away', 'sender3@example.com']);
  });

  it('treats many mails in one commit right after a reconnect as a replay, whatever their dates', () => {
    const { clock, shown, policy } = setup();
    policy.markAwake();
    clock.advance(1_000);
    const twelve = Array.from({ length: 12 }, (_, i) => mail(i + 1, { occurredAt: clock.now() + 100 }));
    policy.offer(twelve, ON);
    clock.advance(2_000);
    expect(shown).toEqual([expect.objectContaining({ title: '12 messages while you were away', target: { kind: 'list' } })]);
  });

  it('shows a single replayed mail as itself', () => {
    const { clock, shown, policy, at } = setup();
    policy.markAwake();
    policy.offer([mail(1, { occurredAt: at(-60_000) })], ON);
    clock.advance(2_000);
    expect(shown).toEqual([expect.objectContaining({ title: 'sender1@example.com', target: { kind: 'event', seq: 1 } })]);
  });

  it('stops treating old mail as backlog once the wake is long past', () => {
    const { clock, shown, policy, at } = setup();
    policy.markAwake();
    clock.advance(DEFAULT_NOTIFICATION_POLICY.backlogWindowMs + 1);
    policy.offer([mail(1, { occurredAt: at(-600_000) }), mail(2, { occurredAt: at(-600_000) })], ON);
    clock.advance(2_000);
    expect(shown.map((n) => n.title)).toEqual(['2 new messages']);
  });

  it('never folds a test event into the backlog', () => {
    const { clock, shown, policy, at } = setup();
    policy.markAwake();
    policy.offer([mail(1, { occurredAt: at(-60_000), test: true })], ON);
    clock.advance(2_000);
    expect(shown).toEqual([expect.objectContaining({ target: { kind: 'event', seq: 1 } })]);
  });
});

describe('NotificationPolicy: settings', () => {
  it('shows nothing while notifications are switched off, not even test events', () => {
    const { clock, shown, policy } = setup();
    policy.offer([mail(1), mail(2, { test: true })], { ...ON, enabled: false });
    clock.advance(10_000);
    expect(shown).toEqual([]);
  });

  it('drops mail to muted inboxes and keeps the rest', () => {
    const { clock, shown, policy } = setup();
    policy.offer([mail(1, { inbox: 'inb_noisy' }), mail(2, { inbox: 'inb_main' }), mail(3, { inbox: 'inb_noisy' })], { ...ON, mutedInboxes: ['inb_noisy'] });
    clock.advance(2_000);
    expect(shown.map((n) => n.target)).toEqual([{ kind: 'event', seq: 2 }]);
  });

  it('drops mail while paused and notifies again once the pause is over', () => {
    const { clock, shown, policy, at } = setup();
    const paused = { ...ON, pausedUntil: new Date(at(60_000)).toISOString() };
    policy.offer([mail(1)], paused);
    clock.advance(2_000);
    expect(shown).toEqual([]);
    clock.advance(60_000);
    policy.offer([mail(2)], paused);
    clock.advance(2_000);
    expect(shown.map((n) => n.target)).toEqual([{ kind: 'event', seq: 2 }]);
  });

  it('lets a test event through a pause and a muted inbox', () => {
    const { clock, shown, policy, at } = setup();
    const settings = { enabled: true, mutedInboxes: ['inb_test'], pausedUntil: new Date(at(3_600_000)).toISOString() };
    policy.offer([mail(1, { inbox: 'inb_test', test: true, subject: 'Test event from Mailbridge' })], settings);
    clock.advance(2_000);
    expect(shown).toEqual([expect.objectContaining({ target: { kind: 'event', seq: 1 } })]);
  });

  it('isPaused compares the pause end with now', () => {
    const now = Date.parse('2026-03-03T14:30:00.000Z');
    expect(isPaused({ pausedUntil: null }, now)).toBe(false);
    expect(isPaused({ pausedUntil: '2026-03-03T14:30:00.001Z' }, now)).toBe(true);
    expect(isPaused({ pausedUntil: '2026-03-03T14:30:00.000Z' }, now)).toBe(false);
  });
});

describe('NotificationPolicy: stop and flush', () => {
  it('drops what it holds on stop, and flush shows it at once', () => {
    const { clock, shown, policy } = setup();
    policy.offer([mail(1)], ON);
    policy.stop();
    clock.advance(10_000);
    expect(shown).toEqual([]);
    expect(clock.pendingCount).toBe(0);
    policy.offer([mail(2)], ON);
    policy.flush();
    expect(shown).toHaveLength(1);
    expect(clock.pendingCount).toBe(0);
  });
});
