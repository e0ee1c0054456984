// The agents' event log read in seq order (`GET /v1/events`): where a read starts, and the page it gets now.
// Transport-free, like history.ts: the long-poll route parks a read whose page came back empty.
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
 * For a narrowed principal, `next_after` moves past what it may not see, so its next read does not scan it again.
 */
export function eventsPage(events: Pick<EventStore, 'after'>, read: EventsRead, principal: Principal = OWNER): EventsResponse {
  const page = events.after(read.after, read.limit, read.filter);
  if (seesEverything(principal)) return { events: page, next_after: page.at(-1)?.seq ?? read.after };
  return { events: page.filter((event) => canSee(principal, event)), next_after: page.at(-1)?.seq ?? read.after };
}

function consumerSeq(consumers: Pick<ConsumerStore, 'get'>, name: string): number | null {
  try {
    return consumers.get(name);
  } catch (error) {
    if (error instanceof ConsumerInputError) throw invalidRequest(error.message);
    throw error;
  }
}
