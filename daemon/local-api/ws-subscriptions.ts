// The OpenMail WebSocket subscription protocol, pure: parse client frames and keep one connection's filters.
// Subscriptions accumulate; an omitted or empty filter means "all"; `unsubscribe` without inbox_ids ends
// everything, so the connection receives nothing until it subscribes again.
import type { MailEvent } from '../../shared/event.ts';

const MAX_FILTER_ENTRIES = 1000;
const MAX_ID_LENGTH = 256;

export type ClientFrame =
  | { type: 'subscribe'; inboxIds: string[]; eventTypes: string[]; lastEventId: string | null }
  | { type: 'unsubscribe'; inboxIds: string[] }
  | { type: 'ping' }
  /** OpenMail reserves `ack` for future use; accepted and ignored so its clients need no change. */
  | { type: 'ack' };

export type ParsedFrame = { ok: true; frame: ClientFrame } | { ok: false; message: string };

export interface Subscription {
  inboxes: ReadonlySet<string> | 'all';
  /** Inboxes unsubscribed while subscribed to all of them. */
  excludedInboxes: ReadonlySet<string>;
  eventTypes: ReadonlySet<string> | 'all';
}

export function parseClientFrame(raw: string): ParsedFrame {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, message: 'invalid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, message: 'a message must be a JSON object with a "type"' };
  }
  const frame = value as Record<string, unknown>;
  switch (frame.type) {
    case 'subscribe': {
      const inboxIds = idList(frame.inbox_ids, 'inbox_ids');
      if (typeof inboxIds === 'string') return { ok: false, message: inboxIds };
      const eventTypes = idList(frame.event_types, 'event_types');
      if (typeof eventTypes === 'string') return { ok: false, message: eventTypes };
      const lastEventId = frame.last_event_id ?? null;
      if (lastEventId !== null && !isId(lastEventId)) return { ok: false, message: 'last_event_id must be a non-empty string' };
      return { ok: true, frame: { type: 'subscribe', inboxIds, eventTypes, lastEventId } };
    }
    case 'unsubscribe': {
      const inboxIds = idList(frame.inbox_ids, 'inbox_ids');
      if (typeof inboxIds === 'string') return { ok: false, message: inboxIds };
      return { ok: true, frame: { type: 'unsubscribe', inboxIds } };
    }
    case 'ping':
      return { ok: true, frame: { type: 'ping' } };
    case 'ack':
      return { ok: true, frame: { type: 'ack' } };
    default:
      return { ok: false, message: `unknown message type: ${JSON.stringify(frame.type ?? null).slice(0, 64)}` };
  }
}

/** The subscription after a `subscribe` frame; `null` is "not subscribed". */
export function subscribe(current: Subscription | null, inboxIds: readonly string[], eventTypes: readonly string[]): Subscription {
  const inboxes =
    inboxIds.length === 0 || current?.inboxes === 'all' ? 'all' : new Set([...(current?.inboxes ?? []), ...inboxIds]);
  const excludedInboxes =
    inboxes === 'all' && inboxIds.length > 0 ? without(current?.excludedInboxes ?? new Set(), inboxIds) : new Set<string>();
  const types =
    eventTypes.length === 0 || current?.eventTypes === 'all' ? 'all' : new Set([...(current?.eventTypes ?? []), ...eventTypes]);
  return { inboxes, excludedInboxes, eventTypes: types };
}

/** The subscription after an `unsubscribe` frame: no inbox ids ends it. */
export function unsubscribe(current: Subscription | null, inboxIds: readonly string[]): Subscription | null {
  if (current === null || inboxIds.length === 0) return null;
  if (current.inboxes === 'all') return { ...current, excludedInboxes: new Set([...current.excludedInboxes, ...inboxIds]) };
  const inboxes = without(current.inboxes, inboxIds);
  return inboxes.size === 0 ? null : { ...current, inboxes };
}

export function matches(subscription: Subscription | null, event: MailEvent): boolean {
  if (subscription === null) return false;
  const { inboxes, excludedInboxes, eventTypes } = subscription;
  const inboxOk =
    inboxes === 'all'
      ? event.inbox_id === null || !excludedInboxes.has(event.inbox_id)
      : event.inbox_id !== null && inboxes.has(event.inbox_id);
  return inboxOk && (eventTypes === 'all' || eventTypes.has(event.event));
}

/** The `subscribed` confirmation: empty arrays mean "all", as OpenMail sends them. */
export function subscribedFrame(subscription: Subscription): { type: 'subscribed'; inbox_ids: string[]; event_types: string[] } {
  return {
    type: 'subscribed',
    inbox_ids: subscription.inboxes === 'all' ? [] : [...subscription.inboxes],
    event_types: subscription.eventTypes === 'all' ? [] : [...subscription.eventTypes],
  };
}

function idList(value: unknown, field: string): string[] | string {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.length > MAX_FILTER_ENTRIES || !value.every(isId)) {
    return `${field} must be an array of at most ${MAX_FILTER_ENTRIES} non-empty strings`;
  }
  return [...new Set(value)];
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH;
}

function without(set: ReadonlySet<string>, remove: readonly string[]): Set<string> {
  const result = new Set(set);
  for (const id of remove) result.delete(id);
  return result;
}
