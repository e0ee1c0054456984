// What an OpenMail client may send, read from untrusted input: every message is counted against the client's
// budget first, then parsed into a typed frame or answered with the error an OpenMail server gives.
import type { RawData } from 'ws';
import { SlidingWindow, type MessageBudget } from '../rate-limit.ts';
import { messageText } from '../ws-text.ts';
import { CLIENT_BUDGET } from './policy.ts';
import { ERRORS, RATE_LIMITED, errorFrame, type Closing, type ServerFrame } from './server-frames.ts';

const MAX_FILTER_ENTRIES = 1000;
const MAX_ID_LENGTH = 256;

export type SubscribeFrame = { type: 'subscribe'; inboxIds: string[]; eventTypes: string[]; lastEventId: string | null };

export type ClientFrame =
  | SubscribeFrame
  | { type: 'unsubscribe'; inboxIds: string[] }
  | { type: 'ping' }
  /** OpenMail reserves `ack` for future use; accepted and ignored so its clients need no change. */
  | { type: 'ack' };

export type ParsedFrame = { ok: true; frame: ClientFrame } | { ok: false; error: ServerFrame };

/** What to do with one client message. */
export type Inbound =
  | { kind: 'frame'; frame: ClientFrame }
  /** Answer with this error frame; the connection stays. */
  | { kind: 'refused'; error: ServerFrame }
  /** Over the budget: the connection ends. */
  | { kind: 'over_budget'; closing: Closing };

/** One per connection. */
export function clientBudget(budget: MessageBudget = CLIENT_BUDGET): SlidingWindow {
  return new SlidingWindow(budget.messages, budget.perMs);
}

export function readClientMessage(budget: SlidingWindow, data: RawData, isBinary: boolean, now: number): Inbound {
  if (budget.waitMs(now) > 0) return { kind: 'over_budget', closing: RATE_LIMITED };
  budget.record(now);
  if (isBinary) return { kind: 'refused', error: errorFrame(ERRORS.binary) };
  const parsed = parseClientFrame(messageText(data));
  return parsed.ok ? { kind: 'frame', frame: parsed.frame } : { kind: 'refused', error: parsed.error };
}

export function parseClientFrame(raw: string): ParsedFrame {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return refuse(ERRORS.invalidJson);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return refuse(ERRORS.missingType);
  const frame = value as Record<string, unknown>;
  if (typeof frame.type !== 'string') return refuse(ERRORS.missingType);
  switch (frame.type) {
    case 'subscribe': {
      const inboxIds = idList(frame.inbox_ids, 'inbox_ids');
      if (typeof inboxIds === 'string') return refuse(ERRORS.invalidField('subscribe', inboxIds));
      const eventTypes = idList(frame.event_types, 'event_types');
      if (typeof eventTypes === 'string') return refuse(ERRORS.invalidField('subscribe', eventTypes));
      const lastEventId = frame.last_event_id ?? null;
      if (lastEventId !== null && !isId(lastEventId)) {
        return refuse(ERRORS.invalidField('subscribe', `last_event_id must be a string of 1 to ${MAX_ID_LENGTH} characters`));
      }
      return { ok: true, frame: { type: 'subscribe', inboxIds, eventTypes, lastEventId } };
    }
    case 'unsubscribe': {
      const inboxIds = idList(frame.inbox_ids, 'inbox_ids');
      if (typeof inboxIds === 'string') return refuse(ERRORS.invalidField('unsubscribe', inboxIds));
      return { ok: true, frame: { type: 'unsubscribe', inboxIds } };
    }
    case 'ping':
      return { ok: true, frame: { type: 'ping' } };
    case 'ack':
      return { ok: true, frame: { type: 'ack' } };
    default:
      return refuse(ERRORS.unknownType(frame.type));
  }
}

function refuse(message: string): ParsedFrame {
  return { ok: false, error: errorFrame(message) };
}

/** Absent or null means "all"; duplicates are dropped. */
function idList(value: unknown, field: string): string[] | string {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.length > MAX_FILTER_ENTRIES || !value.every(isId)) {
    return `${field} must be an array of at most ${MAX_FILTER_ENTRIES} strings of 1 to ${MAX_ID_LENGTH} characters`;
  }
  return [...new Set(value)];
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH;
}
