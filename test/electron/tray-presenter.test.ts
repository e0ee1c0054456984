import { describe, expect, it } from 'vitest';
import type { ConnectionState, SinkStatus } from '../../shared/status.ts';
import { formatUntil, presentTray, tomorrowAt, type MenuItemSpec, type TrayAction, type TrayState } from '../../electron/tray-presenter.ts';
import { NOW, daemonStatus, mail, upstream } from './fixtures.ts';

const HOUR = 3_600_000;

function state(overrides: Partial<TrayState> = {}): TrayState {
  return {
    engine: { kind: 'running', status: daemonStatus([upstream('work', 'live')]) },
    latestMail: [],
    unread: 0,
    notifications: { enabled: true, pausedUntil: null },
    now: NOW,
    platform: 'linux',
    ...overrides,
  };
}

function actions(items: readonly MenuItemSpec[]): { label: string; action: TrayAction; enabled: boolean }[] {
  return items.flatMap((item) => {
    if (item.type === 'action') return [item];
    if (item.type === 'submenu') return actions(item.items);
    return [];
  });
}

function action(items: readonly MenuItemSpec[], type: TrayAction['type']) {
  const found = actions(items).find((item) => item.action.type === type);
  if (!found) throw new Error(`no ${type} item`);
  return found;
}

function labels(items: readonly MenuItemSpec[]): string[] {
  return items.flatMap((item) => (item.type === 'label' ? [item.label] : []));
}

describe('presentTray: the icon', () => {
  it.each<[ConnectionState, string]>([
    ['live', 'live'],
    ['connecting', 'connecting'],
    ['subscribing', 'connecting'],
    ['stale', 'connecting'],
    ['backoff', 'offline'],
    ['stopped', 'offline'],
    ['needs_key', 'needs_key'],
  ])('shows %s as %s', (connection, icon) => {
    expect(presentTray(state({ engine: { kind: 'running', status: daemonStatus([upstream('work', connection)]) } })).icon).toBe(icon);
  });

  it('shows the account in the worst shape when there are several', () => {
    const status = (states: ConnectionState[]) => daemonStatus(states.map((s, i) => upstream(`a${i}`, s)));
    expect(presentTray(state({ engine: { kind: 'running', status: status(['live', 'connecting']) } })).icon).toBe('connecting');
    expect(presentTray(state({ engine: { kind: 'running', status: status(['live', 'backoff', 'connecting']) } })).icon).toBe('offline');
    expect(presentTray(state({ engine: { kind: 'running', status: status(['backoff', 'needs_key']) } })).icon).toBe('needs_key');
  });

  it('asks for a key when there is no account, is connecting while starting, offline when the engine failed', () => {
    expect(presentTray(state({ engine: { kind: 'running', status: daemonStatus([]) } })).icon).toBe('needs_key');
    expect(presentTray(state({ engine: { kind: 'starting' } })).icon).toBe('connecting');
    expect(presentTray(state({ engine: { kind: 'failed', message: 'locked' } })).icon).toBe('offline');
  });

  it('shows paused when notifications are paused and every account is live, but a problem wins over paused', () => {
    const paused = { enabled: true, pausedUntil: new Date(NOW + HOUR).toISOString() };
    expect(presentTray(state({ notifications: paused })).icon).toBe('paused');
    const offline = daemonStatus([upstream('work', 'backoff')]);
    expect(presentTray(state({ notifications: paused, engine: { kind: 'running', status: offline } })).icon).toBe('offline');
  });

  it('forgets a pause that has run out', () => {
    const expired = { enabled: true, pausedUntil: new Date(NOW - 1).toISOString() };
    const view = presentTray(state({ notifications: expired }));
    expect(view.icon).toBe('live');
    expect(action(view.menu, 'resume-notifications').enabled).toBe(false);
  });
});

describe('presentTray: tooltip and unread count', () => {
  it('puts the unread count in the macOS title and nowhere else there', () => {
    const view = presentTray(state({ platform: 'darwin', unread: 3 }));
    expect(view.title).toBe('3');
    expect(view.tooltip).toBe('Mailbridge: live');
    expect(presentTray(state({ platform: 'darwin', unread: 250 })).title).toBe('99+');
    expect(presentTray(state({ platform: 'darwin', unread: 0 })).title).toBe('');
  });

  it('puts the unread count in the tooltip on Windows and Linux, with no title', () => {
    for (const platform of ['win32', 'linux'] as const) {
      const view = presentTray(state({ platform, unread: 3 }));
      expect(view.tooltip).toBe('Mailbridge: live · 3 unread');
      expect(view.title).toBe('');
    }
  });

  it('says what is going on', () => {
    const tooltip = (s: Partial<TrayState>) => presentTray(state(s)).tooltip;
    expect(tooltip({ engine: { kind: 'starting' } })).toBe('Mailbridge: starting…');
    expect(tooltip({ engine: { kind: 'failed', message: 'x' } })).toBe('Mailbridge: not running');
    expect(tooltip({ engine: { kind: 'running', status: daemonStatus([]) } })).toBe('Mailbridge: no account yet');
    expect(tooltip({ engine: { kind: 'running', status: daemonStatus([upstream('a', 'live'), upstream('b', 'backoff')]) } })).toBe(
      'Mailbridge: 1 of 2 accounts live',
    );
    expect(tooltip({ engine: { kind: 'running', status: daemonStatus([upstream('a', 'live'), upstream('b', 'live')]) } })).toBe(
      'Mailbridge: 2 accounts live',
    );
    const until = new Date(NOW + HOUR);
    expect(tooltip({ notifications: { enabled: true, pausedUntil: until.toISOString() } })).toBe(
      `Mailbridge: live · notifications paused until ${formatUntil(until.getTime(), NOW)}`,
    );
  });

  it('stays within the 127 characters Windows shows', () => {
    const message = 'x'.repeat(500);
    const accounts = Array.from({ length: 40 }, (_, i) => upstream(`account-${i}`, 'backoff', { lastError: message }));
    const view = presentTray(state({ platform: 'win32', unread: 12, engine: { kind: 'running', status: daemonStatus(accounts) } }));
    expect([...view.tooltip].length).toBeLessThanOrEqual(127);
  });
});

describe('presentTray: the menu', () => {
  it('has a status line, the mails, the pause submenu and the commands, in that order', () => {
    const view = presentTray(state({ latestMail: [mail(2), mail(1)] }));
    expect(view.menu.map((item) => (item.type === 'separator' ? '---' : item.label))).toEqual([
      'work: live',
      '---',
      'sender2@example.com: Subject 2',
      'sender1@example.com: Subject 1',
      '---',
      'Pause notifications',
      'Open Mailbridge',
      'Copy agent URL',
      'Copy token',
      'Reconnect now',
      '---',
      'Quit Mailbridge',
    ]);
  });

  it('lists the five latest mails, each opening the window on that mail', () => {
    const latest = [7, 6, 5, 4, 3, 2, 1].map((seq) => mail(seq, { from: `"Person ${seq}" <p${seq}@example.com>` }));
    const mails = actions(presentTray(state({ latestMail: latest })).menu).filter((item) => item.action.type === 'show-mail');
    expect(mails.map((item) => item.action)).toEqual([7, 6, 5, 4, 3].map((seq) => ({ type: 'show-mail', seq })));
    expect(mails[0]!.label).toBe('Person 7: Subject 7');
  });

  it('says so when there is no mail yet', () => {
    expect(labels(presentTray(state()).menu)).toContain('No mail yet');
  });

  it('cuts long mail lines and flattens line breaks in them', () => {
    const long = mail(1, { from: 'a@example.com', subject: `Quarterly\nreport ${'very '.repeat(30)}long` });
    const [line] = actions(presentTray(state({ latestMail: [long] })).menu).filter((item) => item.action.type === 'show-mail');
    expect([...line!.label].length).toBeLessThanOrEqual(60);
    expect(line!.label).toMatch(/^a@example\.com: Quarterly report very .*…$/);
  });

  it('offers a pause of one hour and until tomorrow at 8:00, and resume only while paused', () => {
    const view = presentTray(state());
    expect(action(view.menu, 'pause-notifications').action).toEqual({ type: 'pause-notifications', until: new Date(NOW + HOUR).toISOString() });
    const untilTomorrow = actions(view.menu).filter((item) => item.action.type === 'pause-notifications')[1]!;
    expect(untilTomorrow.label).toBe('Until tomorrow, 8:00');
    expect(untilTomorrow.action).toEqual({ type: 'pause-notifications', until: tomorrowAt(NOW, 8) });
    expect(action(view.menu, 'resume-notifications').enabled).toBe(false);

    const paused = presentTray(state({ notifications: { enabled: true, pausedUntil: new Date(NOW + HOUR).toISOString() } }));
    expect(action(paused.menu, 'resume-notifications').enabled).toBe(true);
    expect(labels(paused.menu).some((label) => label.startsWith('Notifications paused until'))).toBe(true);
  });

  it('copies the agent URL of the running endpoint, and disables endpoint commands without one', () => {
    expect(action(presentTray(state()).menu, 'copy-agent-url')).toMatchObject({ enabled: true, action: { url: 'http://127.0.0.1:4319' } });
    const noEndpoint = presentTray(state({ engine: { kind: 'running', status: daemonStatus([upstream('w', 'live')], { endpoint: null }) } }));
    expect(action(noEndpoint.menu, 'copy-agent-url').enabled).toBe(false);
    expect(action(noEndpoint.menu, 'copy-token').enabled).toBe(false);
  });

  it('can reconnect only when there is an account, and can always open and quit', () => {
    for (const engine of [{ kind: 'starting' } as const, { kind: 'failed', message: 'locked' } as const, { kind: 'running', status: daemonStatus([]) } as const]) {
      const view = presentTray(state({ engine }));
      expect(action(view.menu, 'reconnect').enabled).toBe(false);
      expect(action(view.menu, 'open').enabled).toBe(true);
      expect(action(view.menu, 'quit').enabled).toBe(true);
    }
    expect(action(presentTray(state()).menu, 'reconnect').enabled).toBe(true);
  });

  it('shows one status line per account, with the last error while retrying', () => {
    const status = daemonStatus([upstream('work', 'live'), upstream('home', 'backoff', { lastError: 'ECONNREFUSED' }), upstream('demo', 'needs_key')]);
    expect(labels(presentTray(state({ engine: { kind: 'running', status } })).menu).slice(0, 3)).toEqual([
      'work: live',
      'home: offline, retrying (ECONNREFUSED)',
      'demo: needs an API key',
    ]);
  });

  it('adds a line per NATS sink, with its lag and the last error while retrying, and a word in the tooltip', () => {
    const sink = (change: Partial<SinkStatus>): SinkStatus => ({
      kind: 'nats',
      id: 'nats:MAILBRIDGE',
      url: 'nats://broker:4222',
      stream: 'MAILBRIDGE',
      subjectPrefix: 'mailbridge',
      state: 'live',
      since: new Date(NOW).toISOString(),
      position: 10,
      lag: 0,
      published: 10,
      duplicates: 0,
      lastPublishedAt: null,
      lastError: null,
      nextRetryAt: null,
      duplicateWindowSeconds: 86_400,
      ...change,
    });
    const view = (s: SinkStatus) => presentTray(state({ engine: { kind: 'running', status: daemonStatus([upstream('work', 'live')], { sinks: [s] }) } }));

    const live = view(sink({}));
    expect(labels(live.menu).slice(0, 2)).toEqual(['work: live', 'NATS MAILBRIDGE: publishing']);
    expect(live.tooltip).toBe('Mailbridge: live');
    expect(live.icon).toBe('live');

    const failing = view(sink({ state: 'backoff', lag: 134, lastError: { at: new Date(NOW).toISOString(), message: 'broker down' } }));
    expect(labels(failing.menu)[1]).toBe('NATS MAILBRIDGE: retrying, 134 behind (broker down)');
    expect(failing.tooltip).toBe('Mailbridge: live · NATS retrying, 134 behind');
  });

  it('explains a failed start and the missing account', () => {
    expect(labels(presentTray(state({ engine: { kind: 'failed', message: 'Another Mailbridge is running.' } })).menu)[0]).toBe(
      'Not running: Another Mailbridge is running.',
    );
    expect(labels(presentTray(state({ engine: { kind: 'running', status: daemonStatus([]) } })).menu)[0]).toBe(
      'No account yet: open Mailbridge to add one',
    );
  });

  it('cannot pause notifications that are switched off', () => {
    const view = presentTray(state({ notifications: { enabled: false, pausedUntil: null } }));
    expect(actions(view.menu).filter((item) => item.action.type === 'pause-notifications').every((item) => !item.enabled)).toBe(true);
  });
});

describe('tomorrowAt and formatUntil', () => {
  it('picks 8:00 local time on the next calendar day', () => {
    const until = new Date(tomorrowAt(NOW, 8));
    const today = new Date(NOW);
    expect(until.getHours()).toBe(8);
    expect(until.getMinutes()).toBe(0);
    expect(until.getTime()).toBeGreaterThan(NOW);
    const nextDay = new Date(today.getFullYear(), today.getMonth(), today.getDate() + 1);
    expect([until.getFullYear(), until.getMonth(), until.getDate()]).toEqual([nextDay.getFullYear(), nextDay.getMonth(), nextDay.getDate()]);
  });

  it('writes today as a time, tomorrow as such, and later days with their date', () => {
    const local = (days: number, h: number, m: number) => {
      const d = new Date(NOW);
      return new Date(d.getFullYear(), d.getMonth(), d.getDate() + days, h, m).getTime();
    };
    expect(formatUntil(local(0, 23, 5), NOW)).toBe('23:05');
    expect(formatUntil(local(1, 8, 0), NOW)).toBe('tomorrow 08:00');
    const later = new Date(local(3, 9, 30));
    expect(formatUntil(later.getTime(), NOW)).toBe(
      `${later.getFullYear()}-${String(later.getMonth() + 1).padStart(2, '0')}-${String(later.getDate()).padStart(2, '0')} 09:30`,
    );
  });
});
