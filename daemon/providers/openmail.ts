// OpenMail's WebSocket protocol (PROVIDERS.md): Bearer auth, subscribe with an optional replay cursor, and events that are the webhook payload itself. The other providers' adapters reuse its
// error, subscribed, handshake and close handling, since they speak variants of the same protocol.
import type { CloseAction, ErrorKind, Frame, ProviderAdapter, Subscription } from './adapter.ts';
import { parseMailEvent } from './event-shape.ts';
import { readFrameObject } from './frame-json.ts';

/** Error text kept from a frame: enough to show and log, bounded because the server's words are untrusted. */
export const MAX_ERROR_TEXT = 500;

/** The connection limit frees only when another of the account's connections closes; quick retries just
 * collect more refusals. */
const CONNECTION_LIMIT_DELAY_MS = 60_000;
/** The message budget is counted per 10 s window. */
const RATE_LIMIT_DELAY_MS = 10_000;

export function createOpenMailAdapter(): ProviderAdapter {
  return {
    name: 'openmail',
    defaultUrl: 'wss://api.openmail.sh/v1/ws',
    supportsReplay: true,
    replayCap: 100,
    clientRate: { messages: 30, perMs: 10_000 },
    connectRequest: (url, apiKey) => ({ url, headers: { Authorization: `Bearer ${apiKey}` } }),
    subscribeFrame,
    classify,
    onClose,
    onHandshakeStatus: handshakeAction,
  };
}

/** Also AgentMail's and myagentmail's subscribe: the same filters, and no cursor where replay is unsupported. */
export function subscribeFrame(sub: Subscription): string {
  // Absent filters mean "all"; an empty list is left out rather than trusted to mean the same.
  return JSON.stringify({
    type: 'subscribe',
    ...(sub.inboxIds.length > 0 && { inbox_ids: sub.inboxIds }),
    ...(sub.eventTypes.length > 0 && { event_types: sub.eventTypes }),
    ...(sub.lastEventId ? { last_event_id: sub.lastEventId } : {}),
  });
}

function classify(raw: string): Frame {
  const frame = readFrameObject(raw);
  if (!frame.ok) return { kind: 'unknown', reason: frame.reason };
  const value = frame.value;
  // An event is the webhook payload itself: no `type`, recognised by its `event` key.
  if (!Object.hasOwn(value, 'type')) {
    if (!Object.hasOwn(value, 'event')) return { kind: 'unknown', reason: 'frame has neither type nor event' };
    return eventFrame(value);
  }
  switch (value.type) {
    case 'subscribed':
      return subscribedFrame(value.inbox_ids, value.event_types);
    case 'unsubscribed': {
      const inboxIds = filterList(value.inbox_ids);
      return inboxIds === null
        ? { kind: 'unknown', reason: 'unsubscribed frame with malformed inbox_ids' }
        : { kind: 'unsubscribed', inboxIds };
    }
    case 'pong':
      return { kind: 'pong' };
    case 'error':
      return errorFrame(value.message);
    default:
      return { kind: 'unknown', reason: 'unrecognised frame type' };
  }
}

/** A candidate event, checked against the one event shape; a malformed one is counted, never stored. */
export function eventFrame(candidate: unknown): Frame {
  const checked = parseMailEvent(candidate);
  return checked.ok ? { kind: 'event', event: checked.event } : { kind: 'unknown', reason: `malformed event: ${checked.reason}` };
}

/** A `subscribed` acknowledgement; absent lists mean "all", as an empty one does. */
export function subscribedFrame(inboxIds: unknown, eventTypes: unknown): Frame {
  const inboxes = filterList(inboxIds);
  const types = filterList(eventTypes);
  return inboxes === null || types === null
    ? { kind: 'unknown', reason: 'subscribed frame with malformed filters' }
    : { kind: 'subscribed', inboxIds: inboxes, eventTypes: types };
}

/** An error frame whose text decides what the connection does next. */
export function errorFrame(message: unknown): Frame {
  const text =
    typeof message === 'string' && message.length > 0 ? message.slice(0, MAX_ERROR_TEXT) : 'error without a message';
  return { kind: 'error', error: errorKindOf(text), message: text };
}

function filterList(value: unknown): string[] | null {
  if (value === undefined) return [];
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : null;
}

/** Error frames carry only prose; these patterns follow the causes OpenMail documents. */
function errorKindOf(text: string): ErrorKind {
  const t = text.toLowerCase();
  if (/last_event_id|cursor|(unknown|invalid|not found).*event.?id|event.?id.*(unknown|invalid|not found)/.test(t)) {
    return 'cursor_unknown';
  }
  if (/connection limit|too many connections|max(imum)? (number of )?connections/.test(t)) return 'connection_limit';
  if (/rate.?limit|too many (messages|requests)/.test(t)) return 'rate_limited';
  // Subscribing to an inbox the key does not own is refused as unauthorized, yet the key itself is fine.
  if (/inbox/.test(t) && !/key/.test(t)) return 'other';
  if (/revoked|rotated|unauthori[sz]ed|unauthenticated|authentication|forbidden|invalid (api )?key/.test(t)) {
    return 'unauthorized';
  }
  return 'other';
}

const CLOSE_NAMES: Readonly<Record<number, string>> = {
  1000: 'closed normally',
  1001: 'server going away',
  1006: 'connection lost',
  1011: 'server error',
  1012: 'server restarting',
  1013: 'server overloaded',
};

function onClose(code: number, reason: string): CloseAction {
  switch (code) {
    case 4001:
      return { action: 'needs_key', reason: closeReason('unauthorized', code, reason) };
    case 4003:
      // Undocumented; OpenMail's own plugin treats it as fatal, so retrying with the same key is pointless.
      return { action: 'needs_key', reason: closeReason('forbidden', code, reason) };
    case 4008:
      return {
        action: 'reconnect',
        minDelayMs: CONNECTION_LIMIT_DELAY_MS,
        reason: closeReason('connection limit reached', code, reason),
      };
    case 4029:
      return { action: 'reconnect', minDelayMs: RATE_LIMIT_DELAY_MS, reason: closeReason('rate limited', code, reason) };
    default:
      return reconnectAfterClose(code, reason);
  }
}

/** Any close not known to need more: reconnect after the normal backoff. */
export function reconnectAfterClose(code: number, reason: string): CloseAction {
  return { action: 'reconnect', minDelayMs: 0, reason: closeReason(CLOSE_NAMES[code] ?? 'closed', code, reason) };
}

/** The same for every provider: 401/403 mean the key, 429 means slow down. */
export function handshakeAction(status: number): CloseAction {
  if (status === 401 || status === 403) return { action: 'needs_key', reason: `key rejected (HTTP ${status})` };
  if (status === 429) {
    return { action: 'reconnect', minDelayMs: RATE_LIMIT_DELAY_MS, reason: 'rate limited (HTTP 429)' };
  }
  return { action: 'reconnect', minDelayMs: 0, reason: `handshake refused (HTTP ${status})` };
}

function closeReason(what: string, code: number, reason: string): string {
  // A close reason is at most 123 bytes by the protocol; the slice guards callers that pass anything else.
  return reason ? `${what} (close ${code}): ${reason.slice(0, 123)}` : `${what} (close ${code})`;
}
