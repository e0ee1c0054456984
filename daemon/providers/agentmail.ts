// AgentMail's WebSocket protocol (docs/providers.md): Bearer auth, subscribe without a cursor, no application ping,
// and `{type:"event"}` frames mapped to OpenMail's event shape. No replay: catch-up lists its REST API instead
// (agentmail-rest.ts).
import type { AdapterOptions, Frame, ProviderAdapter } from './adapter.ts';
import { errorFrame, eventFrame, subscribedFrame } from './common-frames.ts';
import { toMailMessage } from './agentmail-message.ts';
import { AGENTMAIL_ATTACHMENTS, AGENTMAIL_CATCH_UP } from './agentmail-rest.ts';
import { isRecord } from './event-shape.ts';
import { readFrameObject } from './frame-json.ts';
import { messageIdKey } from './message-key.ts';
import { PUSH_ONLY } from './push-only.ts';

/** Where the non-message event types keep their body; it passes through under the same key. */
const BODY_KEYS = ['send', 'delivery', 'bounce', 'complaint', 'reject', 'domain'] as const;

export function createAgentMailAdapter(options: AdapterOptions = {}): ProviderAdapter {
  const now = options.now ?? Date.now;
  return {
    ...PUSH_ONLY,
    name: 'agentmail',
    defaultUrl: 'wss://ws.agentmail.to/v0',
    defaultApiUrl: 'https://api.agentmail.to',
    connectRequest: (url, apiKey) => ({ url, headers: { Authorization: `Bearer ${apiKey}` } }),
    restHeaders: (apiKey) => ({ Authorization: `Bearer ${apiKey}` }),
    classify: (raw) => classify(raw, now),
    catchUp: AGENTMAIL_CATCH_UP,
    attachments: AGENTMAIL_ATTACHMENTS,
    // A push and a REST listing name a message by the same `message_id`.
    messageKey: messageIdKey,
  };
}

function classify(raw: string, now: () => number): Frame {
  const frame = readFrameObject(raw);
  if (!frame.ok) return { kind: 'unknown', reason: frame.reason };
  const value = frame.value;
  switch (value.type) {
    case 'subscribed':
      return subscribedFrame(value.inbox_ids, value.event_types);
    case 'error':
      return errorFrame([value.name, value.message].filter((part) => typeof part === 'string' && part).join(': '));
    case 'event':
      return eventFrame(toMailEvent(value, now()));
    default:
      return { kind: 'unknown', reason: 'unrecognised frame type' };
  }
}

// The mapping fills in only what is absent (null counts as absent: AgentMail may serialise missing optionals
// that way); a present value of the wrong type is passed on for the shape check to reject.
function toMailEvent(frame: Record<string, unknown>, nowMs: number): Record<string, unknown> {
  const message = isRecord(frame.message) ? frame.message : null;
  const bodyKey = BODY_KEYS.find((key) => isRecord(frame[key]));
  const body = bodyKey === undefined ? null : (frame[bodyKey] as Record<string, unknown>);
  const source = message ?? body ?? {};
  return {
    event: frame.event_type,
    event_id: frame.event_id,
    occurred_at: source.timestamp ?? new Date(nowMs).toISOString(),
    inbox_id: source.inbox_id ?? null,
    ...(source.thread_id != null && { thread_id: source.thread_id }),
    ...(message && { message: toMailMessage(message) }),
    ...(bodyKey !== undefined && { [bodyKey]: body }),
  };
}
