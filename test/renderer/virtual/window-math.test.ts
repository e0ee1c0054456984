import { describe, expect, it } from 'vitest';
import { isNavigationKey, nearEnd, nextIndex, revealScrollTop, rowWindow } from '../../../renderer/virtual/window-math.ts';

const base = { rowHeight: 60, viewportHeight: 600, overscan: 5 };

describe('rowWindow', () => {
  it('renders the visible rows plus overscan at the top of the list', () => {
    expect(rowWindow({ ...base, scrollTop: 0, count: 100_000 })).toEqual({ start: 0, end: 15, offset: 0, totalHeight: 6_000_000 });
  });

  it('renders a constant handful of rows anywhere in 100k', () => {
    const window = rowWindow({ ...base, scrollTop: 3_000_030, count: 100_000 });
    // Rows 50000 (half hidden) to 50010 are visible.
    expect(window).toEqual({ start: 49_995, end: 50_016, offset: 49_995 * 60, totalHeight: 6_000_000 });
    expect(window.end - window.start).toBeLessThanOrEqual(600 / 60 + 1 + 2 * 5);
  });

  it('clamps at the end, including a scroll position left over from a longer list', () => {
    expect(rowWindow({ ...base, scrollTop: 10_000_000, count: 30 })).toEqual({ start: 15, end: 30, offset: 900, totalHeight: 1800 });
  });

  it('handles empty lists, short lists and an unmeasured viewport', () => {
    expect(rowWindow({ ...base, scrollTop: 0, count: 0 })).toEqual({ start: 0, end: 0, offset: 0, totalHeight: 0 });
    expect(rowWindow({ ...base, scrollTop: 0, count: 3 })).toEqual({ start: 0, end: 3, offset: 0, totalHeight: 180 });
    expect(rowWindow({ ...base, viewportHeight: 0, scrollTop: 0, count: 50 })).toEqual({ start: 0, end: 6, offset: 0, totalHeight: 3000 });
  });
});

describe('revealScrollTop', () => {
  it('moves only as far as needed', () => {
    expect(revealScrollTop(5, 60, 0, 600)).toBe(0);
    expect(revealScrollTop(10, 60, 0, 600)).toBe(60);
    expect(revealScrollTop(2, 60, 300, 600)).toBe(120);
    expect(revealScrollTop(0, 60, 45, 600)).toBe(0);
  });
});

describe('nextIndex', () => {
  it('moves by one, by a page, and to either end, without leaving the list', () => {
    expect(nextIndex(4, 'ArrowDown', 10, 3)).toBe(5);
    expect(nextIndex(9, 'ArrowDown', 10, 3)).toBe(9);
    expect(nextIndex(0, 'ArrowUp', 10, 3)).toBe(0);
    expect(nextIndex(4, 'PageDown', 10, 3)).toBe(7);
    expect(nextIndex(8, 'PageDown', 10, 3)).toBe(9);
    expect(nextIndex(2, 'PageUp', 10, 3)).toBe(0);
    expect(nextIndex(4, 'Home', 10, 3)).toBe(0);
    expect(nextIndex(4, 'End', 10, 3)).toBe(9);
  });

  it('starts from the first row (or the last, for End) when nothing is active', () => {
    expect(nextIndex(-1, 'ArrowDown', 10, 3)).toBe(0);
    expect(nextIndex(-1, 'ArrowUp', 10, 3)).toBe(0);
    expect(nextIndex(-1, 'End', 10, 3)).toBe(9);
    expect(nextIndex(-1, 'ArrowDown', 0, 3)).toBe(-1);
  });

  it('knows its keys', () => {
    expect(isNavigationKey('PageDown')).toBe(true);
    expect(isNavigationKey('Enter')).toBe(false);
  });
});

describe('nearEnd', () => {
  it('asks for more while the window is within the threshold of the loaded end', () => {
    expect(nearEnd({ end: 140 }, 200, 60)).toBe(true);
    expect(nearEnd({ end: 139 }, 200, 60)).toBe(false);
  });
});
