// Each committed event is serialized once, however many parked long-polls and streams send it.
import type { StoredEvent } from '../../shared/event.ts';

// Keyed by the object the hub publishes: the entry goes when the batch does.
const cache = new WeakMap<StoredEvent, string>();

export function eventJson(event: StoredEvent): string {
  let json = cache.get(event);
  if (json === undefined) {
    json = JSON.stringify(event);
    cache.set(event, json);
  }
  return json;
}

/** The `EventsResponse` body, assembled from the cached event JSON. */
export function eventsResponseJson(events: readonly StoredEvent[], nextAfter: number): string {
  return `{"events":[${events.map(eventJson).join(',')}],"next_after":${nextAfter}}`;
}
