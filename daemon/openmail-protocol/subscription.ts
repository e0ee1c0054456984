// One connection's subscription, pure. Subscriptions accumulate into one set of inboxes and one set of event
// types, which is exactly what `subscribed` echoes (docs/providers.md says why this model and not a list of
// separate filters); an omitted or empty filter means "all"; `unsubscribe` without inbox_ids ends everything,
// so the connection receives nothing until it subscribes again.
import type { MailEvent } from '../../shared/event.ts';
import type { SubscribedFrame } from './server-frames.ts';

export interface Subscription {
  inboxes: ReadonlySet<string> | 'all';
  /** Inboxes unsubscribed while subscribed to all of them. */
  excludedInboxes: ReadonlySet<string>;
  eventTypes: ReadonlySet<string> | 'all';
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
export function subscribedFrame(subscription: Subscription): SubscribedFrame {
  return {
    type: 'subscribed',
    inbox_ids: subscription.inboxes === 'all' ? [] : [...subscription.inboxes],
    event_types: subscription.eventTypes === 'all' ? [] : [...subscription.eventTypes],
  };
}

function without(set: ReadonlySet<string>, remove: readonly string[]): Set<string> {
  const result = new Set(set);
  for (const id of remove) result.delete(id);
  return result;
}
