// Engine answers for the component tests: a status, settings and history items a person could see.
import type { HistoryItem } from '../../../shared/local-api.ts';
import { DEFAULT_SETTINGS, type Settings } from '../../../shared/settings.ts';
import type { DaemonStatus, UpstreamStatus } from '../../../shared/status.ts';

const MINUTE = 60_000;
export const ago = (minutes: number): string => new Date(Date.now() - minutes * MINUTE).toISOString();

export function upstream(account: string, change: Partial<UpstreamStatus> = {}): UpstreamStatus {
  return {
    account,
    provider: 'openmail',
    url: 'wss://api.openmail.sh/v1/ws',
    state: 'live',
    since: ago(5),
    attempt: 0,
    lastError: null,
    nextRetryAt: null,
    lastEventAt: ago(2),
    cursor: `evt_${account}_last`,
    possibleGap: null,
    counters: { connects: 1, frames: 10, events: 7, duplicates: 0, malformed: 0, errors: 0 },
    ...change,
  };
}

export function status(change: Partial<DaemonStatus> = {}): DaemonStatus {
  return {
    version: '0.1.0',
    pid: 4242,
    startedAt: ago(60),
    dataDir: '/home/jane/.config/Mailbridge',
    demo: false,
    accounts: [upstream('work')],
    endpoint: { url: 'http://127.0.0.1:4319', socket: '/home/jane/.config/Mailbridge/run/mailbridge.sock', token_file: '/home/jane/.config/Mailbridge/token', pid: 4242, version: '0.1.0' },
    store: { events: 1234, latestSeq: 1234, oldestSeq: 1 },
    consumers: [],
    forwards: [],
    engine: 'laptop',
    sinks: [],
    ...change,
  };
}

export function settings(change: Partial<Settings> = {}): Settings {
  return { ...structuredClone(DEFAULT_SETTINGS), ...change };
}

export function mail(seq: number, change: { from?: string; subject?: string; inbox?: string; account?: string } = {}): HistoryItem {
  return {
    seq,
    account: change.account ?? 'work',
    stored_at: ago(seq),
    event: {
      event: 'message.received',
      event_id: `evt_${seq}`,
      occurred_at: ago(seq),
      inbox_id: change.inbox ?? 'inb_main',
      message: { id: `msg_${seq}`, from: change.from ?? `sender${seq}@example.com`, to: 'jane@openmail.sh', subject: change.subject ?? `Message ${seq}`, body_text: `Body of message ${seq}` },
    },
  };
}
