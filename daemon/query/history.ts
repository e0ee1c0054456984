// History pages and single events, newest first, with full-text search: one item shape and one set of limits
// for every way in (the HTTP routes, IPC, the command line, and the tools that come next). Transport-free: it
// takes a store and a query, answers with plain data, and throws a CodedError for a bad query.
import type { EventRecord } from '../../shared/event.ts';
import { parseRequest } from '../../shared/control.ts';
import { HISTORY_LIMIT, type HistoryItem, type HistoryQuery, type HistoryResponse } from '../../shared/local-api.ts';
import { OWNER, type Principal } from '../../shared/principal.ts';
import { canSee, seesEverything } from '../access/visibility.ts';
import type { EventStore, HistoryOptions } from '../store/events.ts';

export function toHistoryItem(record: EventRecord): HistoryItem {
  return { seq: record.seq, account: record.account, stored_at: new Date(record.storedAt).toISOString(), event: record.event };
}

/**
 * One page of history: `limit` defaults to 50; above 500 the query is refused (`bad_request`), never clamped.
 * A narrowed principal gets a full page of what it may see: the store is read on past what it may not.
 */
export function historyPage(
  events: Pick<EventStore, 'history' | 'searchLag'>,
  query: HistoryQuery,
  principal: Principal = OWNER,
): HistoryResponse {
  const checked = parseRequest('history', query);
  const limit = checked.limit ?? HISTORY_LIMIT.default;
  const read: HistoryOptions = {
    limit,
    // An empty filter is no filter, however it arrived.
    q: nonEmpty(checked.q),
    before: checked.before,
    account: nonEmpty(checked.account),
    inboxId: nonEmpty(checked.inbox_id),
    eventType: nonEmpty(checked.event_type),
  };
  const searchLag = events.searchLag();
  if (seesEverything(principal)) {
    const items = events.history(read).map(toHistoryItem);
    // A full page may have more behind it; a short one is the end. The lag says whether search may miss the newest.
    return { items, next_before: items.length === limit ? (items.at(-1)?.seq ?? null) : null, search_lag: searchLag };
  }
  const items: HistoryItem[] = [];
  let before = read.before;
  for (;;) {
    const page = events.history({ ...read, before });
    for (const record of page) {
      if (canSee(principal, record.event)) items.push(toHistoryItem(record));
      if (items.length === limit) return { items, next_before: record.seq, search_lag: searchLag };
    }
    if (page.length < limit) return { items, next_before: null, search_lag: searchLag };
    before = page.at(-1)!.seq;
  }
}

/** One stored event with its metadata, or null when there is none, retention removed it, or it is not the principal's. */
export function eventItem(events: Pick<EventStore, 'get'>, seq: number, principal: Principal = OWNER): HistoryItem | null {
  const record = events.get(parseRequest('event', seq));
  return record === null || !canSee(principal, record.event) ? null : toHistoryItem(record);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === '' ? undefined : value;
}
