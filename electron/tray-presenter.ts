// What the tray shows, as plain data: engine state in, icon + tooltip + title + menu out. tray.ts draws it.
import type { StoredEvent } from '../shared/event.ts';
import type { ConnectionState, DaemonStatus, SinkState, SinkStatus, UpstreamStatus } from '../shared/status.ts';
import { APP_NAME } from './app-identity.ts';
import { senderName, subjectLine, truncate } from './mail-text.ts';

export type IconName = 'live' | 'connecting' | 'offline' | 'needs_key' | 'paused';
export const ICON_NAMES: readonly IconName[] = ['live', 'connecting', 'offline', 'needs_key', 'paused'];

export type EngineState =
  | { kind: 'starting' }
  | { kind: 'running'; status: DaemonStatus }
  | { kind: 'failed'; message: string };

export interface TrayState {
  engine: EngineState;
  /** Newest first; the menu shows the first five. */
  latestMail: readonly StoredEvent[];
  unread: number;
  notifications: { enabled: boolean; pausedUntil: string | null };
  now: number;
  platform: NodeJS.Platform;
}

export type TrayAction =
  | { type: 'open' }
  | { type: 'show-mail'; seq: number }
  | { type: 'pause-notifications'; until: string }
  | { type: 'resume-notifications' }
  | { type: 'copy-agent-url'; url: string }
  | { type: 'copy-token' }
  | { type: 'reconnect' }
  | { type: 'quit' };

export type MenuItemSpec =
  | { type: 'separator' }
  | { type: 'label'; label: string }
  | { type: 'action'; label: string; action: TrayAction; enabled: boolean }
  | { type: 'submenu'; label: string; items: MenuItemSpec[] };

export interface TrayView {
  icon: IconName;
  tooltip: string;
  /** Text beside the icon in the macOS menu bar (the unread count); empty elsewhere. */
  title: string;
  menu: MenuItemSpec[];
}

export const MENU_MAILS = 5;
const HOUR_MS = 60 * 60 * 1_000;
const PAUSE_UNTIL_HOUR = 8;
/** Windows cuts tray tooltips at 127 characters. */
const TOOLTIP_MAX = 127;
const MENU_LABEL_MAX = 60;

const CONNECTION_ICON: Record<ConnectionState, IconName> = {
  needs_key: 'needs_key',
  backoff: 'offline',
  stopped: 'offline',
  stale: 'connecting',
  connecting: 'connecting',
  subscribing: 'connecting',
  live: 'live',
};
/** Worst first: the icon shows the account in the worst shape, and a pause only when nothing is wrong. */
const SEVERITY: readonly IconName[] = ['needs_key', 'offline', 'connecting', 'paused', 'live'];

const STATE_TEXT: Record<ConnectionState, string> = {
  live: 'live',
  connecting: 'connecting…',
  subscribing: 'connecting…',
  stale: 'checking the connection…',
  backoff: 'offline, retrying',
  needs_key: 'needs an API key',
  stopped: 'stopped',
};

export function presentTray(state: TrayState): TrayView {
  const paused = pausedUntil(state);
  const icon = chooseIcon(state.engine, paused !== null);
  const headline = headlineText(state.engine, icon);
  const unreadText = state.unread > 0 ? `${state.unread} unread` : null;
  const pauseText = paused === null ? null : `notifications paused until ${formatUntil(paused, state.now)}`;
  const mac = state.platform === 'darwin';
  const tooltip = [`${APP_NAME}: ${headline}`, mac ? null : unreadText, pauseText, sinkTrouble(state.engine)]
    .filter((part) => part !== null)
    .join(' · ');
  return {
    icon,
    tooltip: truncate(tooltip, TOOLTIP_MAX),
    title: mac && state.unread > 0 ? (state.unread > 99 ? '99+' : String(state.unread)) : '',
    menu: menu(state, paused),
  };
}

function pausedUntil(state: TrayState): number | null {
  const until = state.notifications.pausedUntil === null ? Number.NaN : Date.parse(state.notifications.pausedUntil);
  return until > state.now ? until : null;
}

function chooseIcon(engine: EngineState, paused: boolean): IconName {
  if (engine.kind === 'starting') return 'connecting';
  if (engine.kind === 'failed') return 'offline';
  const { accounts } = engine.status;
  if (accounts.length === 0) return 'needs_key';
  const icons = accounts.map((account) => CONNECTION_ICON[account.state]);
  if (paused) icons.push('paused');
  return SEVERITY.find((icon) => icons.includes(icon)) ?? 'live';
}

function headlineText(engine: EngineState, icon: IconName): string {
  if (engine.kind === 'starting') return 'starting…';
  if (engine.kind === 'failed') return 'not running';
  const { accounts } = engine.status;
  if (accounts.length === 0) return 'no account yet';
  if (accounts.length === 1) return STATE_TEXT[accounts[0]!.state];
  const live = accounts.filter((a) => a.state === 'live').length;
  return icon === 'live' || icon === 'paused' ? `${live} accounts live` : `${live} of ${accounts.length} accounts live`;
}

function statusLines(engine: EngineState): string[] {
  if (engine.kind === 'starting') return [`${APP_NAME} is starting…`];
  if (engine.kind === 'failed') return [truncate(`Not running: ${engine.message}`, MENU_LABEL_MAX * 2)];
  const { accounts, demo, sinks } = engine.status;
  const accountLines = accounts.length === 0 ? ['No account yet: open Mailbridge to add one'] : accounts.map((account) => accountLine(account, demo));
  return [...accountLines, ...sinks.map(sinkLine)];
}

// ---- Publishing to NATS JetStream

const SINK_TEXT: Record<SinkState, string> = {
  live: 'publishing',
  connecting: 'connecting…',
  backoff: 'retrying',
  stopped: 'stopped',
};

function sinkLine(sink: SinkStatus): string {
  const behind = sink.lag > 0 ? `, ${sink.lag} behind` : '';
  const error = sink.state === 'backoff' && sink.lastError ? ` (${sink.lastError.message})` : '';
  return truncate(`NATS ${sink.stream}: ${SINK_TEXT[sink.state]}${behind}${error}`, MENU_LABEL_MAX);
}

/** A sink that is not publishing is worth a word in the tooltip: agents elsewhere are not getting mail. */
function sinkTrouble(engine: EngineState): string | null {
  if (engine.kind !== 'running') return null;
  const stuck = engine.status.sinks.filter((sink) => sink.state !== 'live');
  if (stuck.length === 0) return null;
  const lag = stuck.reduce((sum, sink) => sum + sink.lag, 0);
  return `NATS ${SINK_TEXT[stuck[0]!.state]}${lag > 0 ? `, ${lag} behind` : ''}`;
}

function accountLine(account: UpstreamStatus, demo: boolean): string {
  const name = demo && account.account === 'demo' ? 'Demo' : account.account;
  const error = account.state === 'backoff' && account.lastError ? ` (${account.lastError})` : '';
  return truncate(`${name}: ${STATE_TEXT[account.state]}${error}`, MENU_LABEL_MAX);
}

function menu(state: TrayState, paused: number | null): MenuItemSpec[] {
  const running = state.engine.kind === 'running' ? state.engine.status : null;
  const endpoint = running?.endpoint ?? null;
  const items: MenuItemSpec[] = statusLines(state.engine).map((label) => ({ type: 'label', label }));
  if (paused !== null) items.push({ type: 'label', label: `Notifications paused until ${formatUntil(paused, state.now)}` });
  items.push({ type: 'separator' });

  const mails = state.latestMail.slice(0, MENU_MAILS);
  if (mails.length === 0) items.push({ type: 'label', label: 'No mail yet' });
  for (const mail of mails) {
    items.push({ type: 'action', label: mailLabel(mail), action: { type: 'show-mail', seq: mail.seq }, enabled: true });
  }
  items.push({ type: 'separator' });

  items.push({
    type: 'submenu',
    label: 'Pause notifications',
    items: [
      { type: 'action', label: 'For 1 hour', action: { type: 'pause-notifications', until: new Date(state.now + HOUR_MS).toISOString() }, enabled: state.notifications.enabled },
      { type: 'action', label: 'Until tomorrow, 8:00', action: { type: 'pause-notifications', until: tomorrowAt(state.now, PAUSE_UNTIL_HOUR) }, enabled: state.notifications.enabled },
      { type: 'action', label: 'Resume notifications', action: { type: 'resume-notifications' }, enabled: paused !== null },
    ],
  });
  items.push({ type: 'action', label: `Open ${APP_NAME}`, action: { type: 'open' }, enabled: true });
  items.push({ type: 'action', label: 'Copy agent URL', action: { type: 'copy-agent-url', url: endpoint?.url ?? '' }, enabled: endpoint !== null });
  items.push({ type: 'action', label: 'Copy token', action: { type: 'copy-token' }, enabled: endpoint !== null });
  items.push({ type: 'action', label: 'Reconnect now', action: { type: 'reconnect' }, enabled: (running?.accounts.length ?? 0) > 0 });
  items.push({ type: 'separator' });
  items.push({ type: 'action', label: `Quit ${APP_NAME}`, action: { type: 'quit' }, enabled: true });
  return items;
}

function mailLabel(mail: StoredEvent): string {
  return truncate(`${senderName(mail)}: ${subjectLine(mail)}`, MENU_LABEL_MAX);
}

/** Local 8:00 on the next calendar day, as an ISO instant. */
export function tomorrowAt(now: number, hour: number): string {
  const date = new Date(now);
  date.setDate(date.getDate() + 1);
  date.setHours(hour, 0, 0, 0);
  return date.toISOString();
}

/** `14:30` today, `tomorrow 08:00`, else `2026-03-04 08:00` (local time). */
export function formatUntil(until: number, now: number): string {
  const date = new Date(until);
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  const day = (at: Date) => `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
  const tomorrow = new Date(now);
  tomorrow.setDate(tomorrow.getDate() + 1);
  if (day(date) === day(new Date(now))) return time;
  if (day(date) === day(tomorrow)) return `tomorrow ${time}`;
  return `${day(date)} ${time}`;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}
