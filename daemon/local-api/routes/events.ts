// `GET /v1/events` (long-poll) and `GET /v1/events/:seq`.
import type { EventsQuery } from '../../../shared/local-api.ts';
import type { LocalApiContext, LocalRoute } from '../context.ts';
import { eventsResponseJson } from '../event-json.ts';
import { notFound, sendJson, sendJsonText } from '../http-json.ts';
import { DEFAULT_EVENTS_LIMIT, MAX_EVENTS_LIMIT, MAX_WAIT_SECONDS } from '../limits.ts';
import type { LongPolls } from '../long-poll.ts';
import { intParam, parseBoundedInt, queryParams, textParam } from '../query-params.ts';
import { asClientError } from './consumer-input.ts';
import { toHistoryItem } from './history.ts';

type ParsedEventsQuery = Required<Pick<EventsQuery, 'limit' | 'wait'>> & Omit<EventsQuery, 'limit' | 'wait'>;

const EVENTS_PARAMS = ['after', 'limit', 'wait', 'inbox_id', 'event_type', 'consumer'] as const;

function parseEventsQuery(url: URL): ParsedEventsQuery {
  const params = queryParams(url, EVENTS_PARAMS);
  return {
    after: intParam(params, 'after', 0, Number.MAX_SAFE_INTEGER),
    limit: intParam(params, 'limit', 1, MAX_EVENTS_LIMIT) ?? DEFAULT_EVENTS_LIMIT,
    wait: intParam(params, 'wait', 0, MAX_WAIT_SECONDS) ?? 0,
    inbox_id: textParam(params, 'inbox_id'),
    event_type: textParam(params, 'event_type'),
    consumer: textParam(params, 'consumer'),
  };
}

export function eventsRoutes(ctx: LocalApiContext, polls: LongPolls): LocalRoute[] {
  return [
    {
      method: 'GET',
      path: '/v1/events',
      handle: ({ res, url }) => {
        const query = parseEventsQuery(url);
        const { consumer } = query;
        // An explicit `after` wins, so a consumer can re-read; otherwise it resumes from its acknowledged seq.
        const after = query.after ?? (consumer === undefined ? 0 : (asClientError(() => ctx.consumers.get(consumer)) ?? 0));
        const filter = { inboxId: query.inbox_id, eventType: query.event_type };
        const events = ctx.events.after(after, query.limit, filter);
        if (events.length > 0 || query.wait === 0) {
          const nextAfter = events.length > 0 ? (events[events.length - 1]?.seq ?? after) : after;
          sendJsonText(res, 200, eventsResponseJson(events, nextAfter));
          return;
        }
        polls.park(res, { after, limit: query.limit, filter, waitMs: query.wait * 1000 });
      },
    },
    {
      method: 'GET',
      path: '/v1/events/:seq',
      handle: ({ res, url, params }) => {
        queryParams(url, []);
        const seq = parseBoundedInt(params.seq ?? '', 'seq', 1, Number.MAX_SAFE_INTEGER);
        const record = ctx.events.get(seq);
        if (record === null) throw notFound(`no event with seq ${seq}`);
        sendJson(res, 200, toHistoryItem(record));
      },
    },
  ];
}
