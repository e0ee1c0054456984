// History pages and single events, newest first, with full-text search: one item shape and one set of limits
// for every way in (the HTTP routes, IPC, the command line, and the tools that come next). Transport-free: it
// takes a store and a query, answers with plain data, and throws a CodedError for a bad query.
import type { EventRecord } from '../../shared/event.ts';
import { parseRequest } from '../../shared/control.ts';
import { HISTORY_LIMIT, type HistoryItem, type HistoryQuery, type HistoryResponse } from '../../shared/local-api.ts';
import type { EventStore } from '../store/events.ts';

export function toHistoryItem(record: EventRecord): HistoryItem {
  return { seq: record.seq, account: record.account, stored_at: new Date(record.storedAt).toISOString(), event: record.event };
}

/** One page of history: `limit` defaults to 50; above 500 the query is refused (`bad_request`), never clamped. */
export function historyPage(events: Pick<EventStore, 'history' | 'searchLag'>, query: HistoryQuery): HistoryResponse {
  const checked = parseRequest('history', query);
  const limit = checked.limit ?? HISTORY_LIMIT.default;
  const items = events
    .history({
      limit,
      // An empty filter is no filter, however it arrived.
      q: nonEmpty(checked.q),
      before: checked.before,
      account: nonEmpty(checked.account),
      inboxId: nonEmpty(checked.inbox_id),
      eventType: nonEmpty(checked.event_type),
    })
    .map(toHistoryItem);
  // A full page may have more behind it; a short one is the end. The lag says whether search may miss the newest.
  return { items, next_before: items.length === limit ? (items.at(-1)?.seq ?? null) : null, search_lag: events.searchLag() };
}

/** One stored event with its metadata, or null when there is none (or retention removed it). */
export function eventItem(events: Pick<EventStore, 'get'>, seq: number): HistoryItem | null {
  const record = events.get(parseRequest('event', seq));
  return record === null ? null : toHistoryItem(record);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === '' ? undefined : value;
}
