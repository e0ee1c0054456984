import { describe, expect, it } from 'vitest';
import type { HistoryItem } from '../../../shared/local-api.ts';
import { appendOlder, fetchNewer, prependNewer } from '../../../renderer/history/history-pages.ts';
import { fakeHistory, item } from './fixtures.ts';

const seqs = (items: readonly HistoryItem[]): number[] => items.map((entry) => entry.seq);

describe('appendOlder / prependNewer', () => {
  it('adds only what lies beyond each end, so overlapping pages never duplicate rows', () => {
    const list = [item(10), item(9), item(8)];
    expect(seqs(appendOlder(list, [item(8), item(7), item(6)]))).toEqual([10, 9, 8, 7, 6]);
    expect(seqs(prependNewer(list, [item(12), item(11), item(10)]))).toEqual([12, 11, 10, 9, 8]);
    expect(seqs(appendOlder([], [item(3), item(2)]))).toEqual([3, 2]);
    expect(seqs(prependNewer([], [item(3)]))).toEqual([3]);
  });

  it('returns the same array when nothing is new, so React sees no change', () => {
    const list = [item(2), item(1)];
    expect(appendOlder(list, [item(1)])).toBe(list);
    expect(prependNewer(list, [item(2)])).toBe(list);
  });
});

describe('fetchNewer', () => {
  it('fetches one page when the new events fit in it', async () => {
    const api = fakeHistory(() => 105);
    expect(seqs(await fetchNewer(api, { q: 'x' }, 100, 50))).toEqual([105, 104, 103, 102, 101]);
    expect(api.calls).toEqual([{ q: 'x', before: undefined, limit: 50 }]);
  });

  it('follows a burst bigger than a page back to the known head, leaving no gap', async () => {
    const api = fakeHistory(() => 130);
    const newer = await fetchNewer(api, {}, 100, 10);
    expect(seqs(newer)).toEqual(Array.from({ length: 30 }, (_, index) => 130 - index));
    expect(api.calls.map((call) => call.before)).toEqual([undefined, 121, 111, 101]);
  });

  it('stops at the start of history', async () => {
    const api = fakeHistory(() => 3);
    expect(seqs(await fetchNewer(api, {}, 0, 2))).toEqual([3, 2, 1]);
  });
});
