// History items and an in-memory history route for the pager tests.
import type { HistoryItem, HistoryQuery, HistoryResponse } from '../../../shared/local-api.ts';

export function item(seq: number): HistoryItem {
  return {
    seq,
    account: 'demo',
    stored_at: '2026-11-23T00:00:00.000Z',
    event: { event: 'message.received', event_id: `evt_${seq}`, occurred_at: '2026-11-23T00:00:00.000Z', inbox_id: 'inb_1' },
  };
}

/** A store of seqs 1..latest answering newest first, as the engine does. */
export function fakeHistory(latest: () => number, calls: HistoryQuery[] = []) {
  return {
    calls,
    history: async (query: HistoryQuery): Promise<HistoryResponse> => {
      calls.push(query);
      const limit = query.limit ?? 50;
      const top = Math.min(latest(), (query.before ?? Number.MAX_SAFE_INTEGER) - 1);
      const items: HistoryItem[] = [];
      for (let seq = top; seq >= 1 && items.length < limit; seq -= 1) items.push(item(seq));
      return { items, next_before: items.length === limit ? (items[items.length - 1]?.seq ?? null) : null };
    },
  };
}
