// Engine status and mail, built small for the shell's tests.
import type { StoredEvent } from '../../shared/event.ts';
import type { ConnectionState, DaemonStatus, UpstreamStatus } from '../../shared/status.ts';

export const NOW = Date.parse('2026-03-03T14:30:00.000Z');

export function upstream(account: string, state: ConnectionState, extra: Partial<UpstreamStatus> = {}): UpstreamStatus {
  return {
    account,
    provider: 'openmail',
    url: 'wss://api.openmail.sh/v1/ws',
    state,
    since: new Date(NOW).toISOString(),
    attempt: 0,
    lastError: null,
    nextRetryAt: null,
    lastEventAt: null,
    cursor: null,
    possibleGap: null,
    counters: { connects: 0, frames: 0, events: 0, duplicates: 0, malformed: 0, errors: 0 },
    ...extra,
  };
}

export function daemonStatus(accounts: UpstreamStatus[], extra: Partial<DaemonStatus> = {}): DaemonStatus {
  return {
    version: '0.1.0',
    pid: 4242,
    startedAt: new Date(NOW).toISOString(),
    dataDir: '/data',
    demo: false,
    accounts,
    endpoint: { url: 'http://127.0.0.1:4319', socket: null, token_file: '/data/token', pid: 4242, version: '0.1.0' },
    store: { events: 0, latestSeq: 0, oldestSeq: null },
    consumers: [],
    forwards: [],
    engine: 'laptop',
    sinks: [],
    ...extra,
  };
}

export interface MailFields {
  from?: string;
  subject?: string;
  body?: string;
  inbox?: string | null;
  occurredAt?: number;
  test?: boolean;
  event?: string;
}

export function mail(seq: number, fields: MailFields = {}): StoredEvent {
  const occurred = new Date(fields.occurredAt ?? NOW).toISOString();
  return {
    seq,
    event: fields.event ?? 'message.received',
    event_id: `evt_${seq}`,
    occurred_at: occurred,
    inbox_id: fields.inbox === undefined ? 'inb_main' : fields.inbox,
    ...(fields.test ? { test: true } : {}),
    message: {
      id: `msg_${seq}`,
      from: fields.from ?? `sender${seq}@example.com`,
      to: 'agent@openmail.sh',
      subject: fields.subject ?? `Subject ${seq}`,
      body_text: fields.body ?? `Body of message ${seq}.`,
    },
  };
}
