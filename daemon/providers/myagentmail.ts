// myagentmail's WebSocket protocol (docs/providers.md): X-API-Key auth, a `connected` greeting, server-sent
// application pings, and events mapped to OpenMail's event shape, in both forms myagentmail shows: the API
// reference's `{type:"event", event_type, event_id, message}` and its blog's `{type:"message.received", data}`.
// Push only: no replay; catch-up lists its REST API (myagentmail-rest.ts).
import { createHash } from 'node:crypto';
import { MESSAGE_RECEIVED, type MailEvent } from '../../shared/event.ts';
import type { AdapterOptions, Frame, ProviderAdapter } from './adapter.ts';
import { errorFrame, eventFrame, subscribedFrame } from './common-frames.ts';
import { isRecord, joinAddresses } from './event-shape.ts';
import { readFrameObject } from './frame-json.ts';
import { fingerprintKey } from './message-key.ts';
import { MYAGENTMAIL_ATTACHMENTS, MYAGENTMAIL_CATCH_UP } from './myagentmail-rest.ts';
import { PUSH_ONLY } from './push-only.ts';

/** The answer to a server ping: optional for the server, cheap for us, and proof the socket still carries data. */
const PONG = JSON.stringify({ type: 'pong' });

/** The event types the blog's `{type, data}` form names. */
const DATA_FRAME_TYPES: ReadonlySet<unknown> = new Set(['message.received', 'message.bounced', 'message.delivered']);

export function createMyAgentMailAdapter(options: AdapterOptions = {}): ProviderAdapter {
  const now = options.now ?? Date.now;
  return {
    ...PUSH_ONLY,
    name: 'myagentmail',
    defaultUrl: 'wss://myagentmail.com/v1/ws',
    defaultApiUrl: 'https://myagentmail.com',
    connectRequest: (url, apiKey) => ({ url, headers: { 'X-API-Key': apiKey } }),
    restHeaders: (apiKey) => ({ 'X-API-Key': apiKey }),
    classify: (raw) => classify(raw, now),
    catchUp: MYAGENTMAIL_CATCH_UP,
    attachments: MYAGENTMAIL_ATTACHMENTS,
    messageKey,
  };
}

/** Pushes carry no message id, so a received mail is known by its fingerprint on both routes; other types are
 * deduplicated by event id only, since a fingerprint could join two deliveries of one message. */
function messageKey(event: MailEvent): string | null {
  return event.event === MESSAGE_RECEIVED ? fingerprintKey(event) : null;
}

function classify(raw: string, now: () => number): Frame {
  const frame = readFrameObject(raw);
  if (!frame.ok) return { kind: 'unknown', reason: frame.reason };
  const value = frame.value;
  switch (value.type) {
    case 'connected':
      return { kind: 'connected' };
    case 'subscribed':
      return subscribedFrame(value.inbox_ids, value.event_types);
    case 'ping':
      return { kind: 'ping', reply: PONG };
    case 'error':
      return errorFrame(value.message);
    case 'event':
      return eventFrame(toMailEvent(value, now()));
    default:
      if (!DATA_FRAME_TYPES.has(value.type)) return { kind: 'unknown', reason: 'unrecognised frame type' };
      if (!isRecord(value.data)) return { kind: 'unknown', reason: `${String(value.type)} frame without data` };
      return eventFrame(fromDataFrame(value.type as string, value.data, now()));
  }
}

/** The blog's form: `data` is the message (or, without a sender, the event's own body, kept under `data`). It
 * names no event id, so one is derived from what it carries: the same push twice is the same event. */
function fromDataFrame(type: string, data: Record<string, unknown>, nowMs: number): Record<string, unknown> {
  const eventId = typeof data.event_id === 'string' ? data.event_id : `evt_${createHash('sha256').update(`${type}\n${JSON.stringify(data)}`).digest('hex').slice(0, 24)}`;
  if (typeof data.from === 'string') return toMailEvent({ event_type: type, event_id: eventId, message: data }, nowMs);
  return {
    event: type,
    event_id: eventId,
    occurred_at: data.timestamp ?? new Date(nowMs).toISOString(),
    inbox_id: data.inbox_id ?? null,
    data,
  };
}

// Fills in only what is absent (null counts as absent); a present value of the wrong type is passed on for the
// shape check to reject.
function toMailEvent(frame: Record<string, unknown>, nowMs: number): Record<string, unknown> {
  const message = isRecord(frame.message) ? frame.message : null;
  const source = message ?? {};
  return {
    event: frame.event_type,
    event_id: frame.event_id,
    occurred_at: source.timestamp ?? new Date(nowMs).toISOString(),
    inbox_id: source.inbox_id ?? null,
    ...(source.thread_id != null && { thread_id: source.thread_id }),
    ...(message && { message: toMailMessage(message, frame.event_id) }),
  };
}

function toMailMessage(message: Record<string, unknown>, eventId: unknown): Record<string, unknown> {
  return {
    // No message id is documented; an event carries exactly one message, so its id stands in.
    id: message.message_id ?? message.id ?? eventId,
    from: message.from,
    to: joinAddresses(message.to ?? []),
    subject: message.subject ?? '',
    ...(message.plain_body != null && { body_text: message.plain_body }),
    ...(message.timestamp != null && { received_at: message.timestamp }),
  };
}
