// `GET /v1/history`: newest first with full-text search, for the window.
import type { EventRecord } from '../../../shared/event.ts';
import type { HistoryItem, HistoryResponse } from '../../../shared/local-api.ts';
import type { LocalApiContext, LocalRoute } from '../context.ts';
import { sendJson } from '../http-json.ts';
import { DEFAULT_HISTORY_LIMIT, MAX_HISTORY_LIMIT, MAX_QUERY_LENGTH } from '../limits.ts';
import { intParam, queryParams, textParam } from '../query-params.ts';

const HISTORY_PARAMS = ['q', 'before', 'limit', 'account', 'inbox_id', 'event_type'] as const;

export function toHistoryItem(record: EventRecord): HistoryItem {
  return { seq: record.seq, account: record.account, stored_at: new Date(record.storedAt).toISOString(), event: record.event };
}

export function historyRoute(ctx: LocalApiContext): LocalRoute {
  return {
    method: 'GET',
    path: '/v1/history',
    handle: ({ res, url }) => {
      const params = queryParams(url, HISTORY_PARAMS);
      const limit = intParam(params, 'limit', 1, MAX_HISTORY_LIMIT) ?? DEFAULT_HISTORY_LIMIT;
      const records = ctx.events.history({
        q: textParam(params, 'q', MAX_QUERY_LENGTH),
        before: intParam(params, 'before', 1, Number.MAX_SAFE_INTEGER),
        limit,
        account: textParam(params, 'account'),
        inboxId: textParam(params, 'inbox_id'),
        eventType: textParam(params, 'event_type'),
      });
      const items = records.map(toHistoryItem);
      // A full page may have more behind it; a short one is the end.
      const body: HistoryResponse = {
        items,
        next_before: items.length === limit ? (items[items.length - 1]?.seq ?? null) : null,
        search_lag: ctx.events.searchLag(),
      };
      sendJson(res, 200, body);
    },
  };
}
