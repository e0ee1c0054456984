import { describe, expect, it } from 'vitest';
import { RecentMail } from '../../electron/recent-mail.ts';
import { ReconnectWatch } from '../../electron/reconnects.ts';
import { mail, upstream } from './fixtures.ts';

describe('RecentMail', () => {
  it('keeps the newest mails first, without duplicates, up to its size', () => {
    const recent = new RecentMail(3);
    recent.seed([mail(2), mail(1)]);
    recent.add([mail(3), mail(4), mail(2)]);
    expect(recent.latest.map((m) => m.seq)).toEqual([4, 3, 2]);
  });

  it('counts new mail as unread until the window is seen; seeded mail is not unread', () => {
    const recent = new RecentMail(5);
    recent.seed([mail(1)]);
    expect(recent.unread).toBe(0);
    expect(recent.add([mail(2), mail(3)])).toBe(true);
    expect(recent.unread).toBe(2);
    expect(recent.markRead()).toBe(true);
    expect(recent.unread).toBe(0);
    expect(recent.markRead()).toBe(false);
  });

  it('ignores events that are not mail', () => {
    const recent = new RecentMail(5);
    expect(recent.add([mail(1, { event: 'inbox.suspended' })])).toBe(false);
    recent.seed([mail(2, { event: 'message.sent' })]);
    expect(recent.latest).toEqual([]);
    expect(recent.unread).toBe(0);
  });
});

describe('ReconnectWatch', () => {
  it('reports an account entering live, first connection included, and not while it stays live', () => {
    const watch = new ReconnectWatch();
    expect(watch.observe([upstream('work', 'connecting')])).toBe(false);
    expect(watch.observe([upstream('work', 'live')])).toBe(true);
    expect(watch.observe([upstream('work', 'live')])).toBe(false);
    expect(watch.observe([upstream('work', 'backoff')])).toBe(false);
    expect(watch.observe([upstream('work', 'live')])).toBe(true);
  });

  it('notices an account added later, and forgets removed ones', () => {
    const watch = new ReconnectWatch();
    watch.observe([upstream('work', 'live')]);
    expect(watch.observe([upstream('work', 'live'), upstream('home', 'live')])).toBe(true);
    watch.observe([upstream('work', 'live')]);
    expect(watch.observe([upstream('work', 'live'), upstream('home', 'live')])).toBe(true);
  });
});
