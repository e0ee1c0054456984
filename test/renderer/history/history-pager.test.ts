import { describe, expect, it } from 'vitest';
import type { HistoryQuery, HistoryResponse } from '../../../shared/local-api.ts';
import { HistoryPager } from '../../../renderer/history/history-pager.ts';
import { fakeHistory, item } from './fixtures.ts';

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
const seqs = (pager: HistoryPager): number[] => pager.getSnapshot().items.map((entry) => entry.seq);

describe('HistoryPager', () => {
  it('pages 100k events in order without gaps or repeats', async () => {
    const pager = new HistoryPager(fakeHistory(() => 100_000), 500);
    pager.setQuery({});
    await settle();
    while (!pager.getSnapshot().complete) {
      pager.loadOlder();
      pager.loadOlder();
      await settle();
    }
    const loaded = seqs(pager);
    expect(loaded.length).toBe(100_000);
    expect(loaded.every((seq, index) => seq === 100_000 - index)).toBe(true);
    expect(pager.getSnapshot().loading).toBe(false);
  });

  it('puts newly committed events on top, coalescing refreshes', async () => {
    let latest = 20;
    const calls: HistoryQuery[] = [];
    const pager = new HistoryPager(fakeHistory(() => latest, calls), 10);
    pager.setQuery({ inbox_id: 'inb_1' });
    await settle();
    latest = 23;
    pager.refreshNewer();
    pager.refreshNewer();
    pager.refreshNewer();
    await settle();
    expect(seqs(pager).slice(0, 4)).toEqual([23, 22, 21, 20]);
    expect(calls).toHaveLength(2);
    expect(calls[1]).toEqual({ inbox_id: 'inb_1', before: undefined, limit: 10 });
  });

  it('drops answers to a query that has since changed', async () => {
    const pending: ((response: HistoryResponse) => void)[] = [];
    const pager = new HistoryPager({ history: () => new Promise((resolve) => pending.push(resolve)) }, 10);
    pager.setQuery({ q: 'old' });
    pager.setQuery({ q: 'new' });
    pending.shift()?.({ items: [item(9)], next_before: null });
    await settle();
    expect(seqs(pager)).toEqual([]);
    expect(pager.getSnapshot().loading).toBe(true);
    pending.shift()?.({ items: [item(5)], next_before: null });
    await settle();
    expect(seqs(pager)).toEqual([5]);
    expect(pager.getSnapshot()).toMatchObject({ loading: false, complete: true });
  });

  it('keeps the error to show, and loads again on reload', async () => {
    let fail = true;
    const pager = new HistoryPager(
      {
        history: async () => {
          if (fail) throw new Error('Cannot reach Mailbridge');
          return { items: [item(1)], next_before: null };
        },
      },
      10,
    );
    pager.setQuery({});
    await settle();
    expect(pager.getSnapshot()).toMatchObject({ loading: false, error: 'Cannot reach Mailbridge' });
    fail = false;
    pager.reload();
    await settle();
    expect(pager.getSnapshot()).toMatchObject({ loading: false, error: null });
    expect(seqs(pager)).toEqual([1]);
  });

  it('notifies subscribers of each change until they leave', async () => {
    const pager = new HistoryPager(fakeHistory(() => 3), 10);
    let notified = 0;
    const off = pager.subscribe(() => (notified += 1));
    pager.setQuery({});
    await settle();
    off();
    pager.setQuery({ q: 'x' });
    expect(notified).toBe(2);
  });
});
