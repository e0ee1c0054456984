// myagentmail's WebSocket protocol (docs/providers.md): X-API-Key auth, a `connected` greeting, server-sent
// application pings, and `{type:"event"}` frames mapped to OpenMail's event shape. Push only: no replay.
import type { AdapterOptions, Frame, ProviderAdapter } from './adapter.ts';
import { errorFrame, eventFrame, subscribedFrame } from './common-frames.ts';
import { isRecord, joinAddresses } from './event-shape.ts';
import { readFrameObject } from './frame-json.ts';
import { PUSH_ONLY } from './push-only.ts';

/** The answer to a server ping: optional for the server, cheap for us, and proof the socket still carries data. */
const PONG = JSON.stringify({ type: 'pong' });

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
  };
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
      return { kind: 'unknown', reason: 'unrecognised frame type' };
  }
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
