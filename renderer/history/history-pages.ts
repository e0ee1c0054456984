// Keeping a newest-first list of history items whole while pages arrive from both ends: older pages as the
// person scrolls, newer items as events are committed. Items are identified by seq, which never repeats.
import type { ControlApi } from '../../shared/control.ts';
import type { HistoryItem, HistoryQuery } from '../../shared/local-api.ts';

/** Appends an older page (the same array when nothing is new); anything not strictly older than the current tail is a duplicate. */
export function appendOlder(items: readonly HistoryItem[], older: readonly HistoryItem[]): readonly HistoryItem[] {
  const tail = items[items.length - 1]?.seq ?? Number.POSITIVE_INFINITY;
  const fresh = older.filter((item) => item.seq < tail);
  return fresh.length === 0 ? items : [...items, ...fresh];
}

/** Puts newer items (newest first) in front; anything not strictly newer than the current head is a duplicate. */
export function prependNewer(items: readonly HistoryItem[], newer: readonly HistoryItem[]): readonly HistoryItem[] {
  const head = items[0]?.seq ?? 0;
  const fresh = newer.filter((item) => item.seq > head);
  return fresh.length === 0 ? items : [...fresh, ...items];
}

/**
 * Every item matching `query` with seq above `afterSeq`, newest first. The engine filters and searches, so
 * live events are shown only when they match, and a burst bigger than a page is followed page by page.
 */
export async function fetchNewer(
  api: Pick<ControlApi, 'history'>,
  query: HistoryQuery,
  afterSeq: number,
  pageSize: number,
): Promise<HistoryItem[]> {
  const found: HistoryItem[] = [];
  let before: number | undefined;
  for (;;) {
    const page = await api.history({ ...query, before, limit: pageSize });
    const newer = page.items.filter((item) => item.seq > afterSeq);
    found.push(...newer);
    if (newer.length < page.items.length || page.next_before === null) return found;
    before = page.next_before;
  }
}
