// The frames AgentMail and myagentmail share with OpenMail (docs/providers.md): the same subscribe, the same
// `subscribed` and `error` frames, and events checked against the one event shape. Every adapter builds and
// classifies them here.
import type { ErrorKind, Frame, Subscription } from './adapter.ts';
import { parseMailEvent } from './event-shape.ts';

/** Error text kept from a frame: enough to show and log, bounded because the server's words are untrusted. */
export const MAX_ERROR_TEXT = 500;

/** The subscribe frame, with a cursor only where the caller passes one. */
export function subscribeFrame(sub: Subscription): string {
  // Absent filters mean "all"; an empty list is left out rather than trusted to mean the same.
  return JSON.stringify({
    type: 'subscribe',
    ...(sub.inboxIds.length > 0 && { inbox_ids: sub.inboxIds }),
    ...(sub.eventTypes.length > 0 && { event_types: sub.eventTypes }),
    ...(sub.lastEventId ? { last_event_id: sub.lastEventId } : {}),
  });
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

export function unsubscribedFrame(inboxIds: unknown): Frame {
  const inboxes = filterList(inboxIds);
  return inboxes === null
    ? { kind: 'unknown', reason: 'unsubscribed frame with malformed inbox_ids' }
    : { kind: 'unsubscribed', inboxIds: inboxes };
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
