// `GET /v1/events`: the long-poll. The page comes from the query module, for the principal that asks; an empty one
// is parked until a commit brings mail it may see, or the wait runs out. (`GET /v1/events/:seq` is a control call:
// routes/control.ts.)
import { EVENTS_LIMIT, MAX_WAIT_SECONDS } from '../../../shared/local-api.ts';
import { consumerKey } from '../../access/consumer-names.ts';
import { eventsPage, eventsRead } from '../../query/events-page.ts';
import type { LocalApiContext, LocalRoute } from '../context.ts';
import { eventsResponseJson } from '../event-json.ts';
import { sendJsonText } from '../http-json.ts';
import type { LongPolls } from '../long-poll.ts';
import { intParam, queryParams, textParam } from '../query-params.ts';
import { asClientError } from './consumer-input.ts';

const EVENTS_PARAMS = ['after', 'limit', 'wait', 'inbox_id', 'event_type', 'consumer'] as const;

export function eventsRoutes(ctx: LocalApiContext, polls: LongPolls): LocalRoute[] {
  return [
    {
      method: 'GET',
      path: '/v1/events',
      access: 'read',
      handle: ({ res, url, principal }) => {
        const params = queryParams(url, EVENTS_PARAMS);
        const wait = intParam(params, 'wait', 0, MAX_WAIT_SECONDS) ?? 0;
        const consumer = textParam(params, 'consumer');
        const read = eventsRead(ctx.consumers, {
          after: intParam(params, 'after', 0, Number.MAX_SAFE_INTEGER),
          limit: intParam(params, 'limit', 1, EVENTS_LIMIT.max),
          inbox_id: textParam(params, 'inbox_id'),
          event_type: textParam(params, 'event_type'),
          consumer: consumer === undefined ? undefined : asClientError(() => consumerKey(principal, consumer)),
        });
        const page = eventsPage(ctx.events, read, principal);
        if (page.events.length > 0 || wait === 0) {
          sendJsonText(res, 200, eventsResponseJson(page.events, page.next_after));
          return;
        }
        // For a narrowed principal the page may have passed over mail it may not see: the wait starts after it.
        polls.park(res, { after: page.next_after, limit: read.limit, filter: read.filter, principal, waitMs: wait * 1000 });
      },
    },
  ];
}
