// The agents' event log read in seq order (`GET /v1/events`): where a read starts, and the page it gets now.
// Transport-free, like history.ts: the long-poll route parks a read whose page came back empty.
import type { StoredEvent } from '../../shared/event.ts';
import { invalidRequest } from '../../shared/errors.ts';
import { EVENTS_LIMIT, type EventsQuery, type EventsResponse } from '../../shared/local-api.ts';
import { OWNER, type Principal } from '../../shared/principal.ts';
import { canSee, seesEverything } from '../access/visibility.ts';
import { ConsumerInputError, type ConsumerStore } from '../store/consumers.ts';
import type { EventFilter, EventStore } from '../store/events.ts';

export interface EventsRead {
  /** The page starts after this seq. */
  after: number;
  limit: number;
  filter: Pick<EventFilter, 'inboxId' | 'eventType'>;
}

/**
 * An explicit `after` wins, so a named consumer can re-read; otherwise a consumer resumes from its acknowledged
 * seq. `limit` defaults to 100; above 1000 the read is refused (`bad_request`), never clamped.
 */
export function eventsRead(consumers: Pick<ConsumerStore, 'get'>, query: Omit<EventsQuery, 'wait'>): EventsRead {
  const limit = query.limit ?? EVENTS_LIMIT.default;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > EVENTS_LIMIT.max) {
    throw invalidRequest(`limit must be an integer from 1 to ${EVENTS_LIMIT.max}`);
  }
  const { consumer } = query;
  const after = query.after ?? (consumer === undefined ? 0 : (consumerSeq(consumers, consumer) ?? 0));
  return { after, limit, filter: { inboxId: query.inbox_id, eventType: query.event_type } };
}

/**
 * The events after the read's start now; `next_after` is the last one's seq, or the start when there are none.
 * A narrowed principal gets a full page of what it may see: the store is read on past what it may not, and
 * `next_after` moves past that too, so its next read (or a long-poll's wait) does not scan it again.
 */
export function eventsPage(events: Pick<EventStore, 'after'>, read: EventsRead, principal: Principal = OWNER): EventsResponse {
  if (seesEverything(principal)) {
    const page = events.after(read.after, read.limit, read.filter);
    return { events: page, next_after: page.at(-1)?.seq ?? read.after };
  }
  const visible: StoredEvent[] = [];
  let after = read.after;
  for (;;) {
    const page = events.after(after, read.limit, read.filter);
    for (const event of page) {
      after = event.seq;
      if (!canSee(principal, event)) continue;
      visible.push(event);
      if (visible.length === read.limit) return { events: visible, next_after: after };
    }
    if (page.length < read.limit) return { events: visible, next_after: after };
  }
}

function consumerSeq(consumers: Pick<ConsumerStore, 'get'>, name: string): number | null {
  try {
    return consumers.get(name);
  } catch (error) {
    if (error instanceof ConsumerInputError) throw invalidRequest(error.message);
    throw error;
  }
}
