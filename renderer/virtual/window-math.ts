// The arithmetic of a fixed-row-height window over a long list: which rows to render, where to put them, and
// where to scroll so a row is in view. Pure, so it is tested apart from the DOM.

export interface WindowInput {
  scrollTop: number;
  viewportHeight: number;
  rowHeight: number;
  count: number;
  /** Rows rendered beyond each edge, so a fast scroll does not show blank space before React catches up. */
  overscan: number;
}

export interface RowWindow {
  /** First rendered row. */
  start: number;
  /** One past the last rendered row. */
  end: number;
  /** Pixel offset of `start`. */
  offset: number;
  totalHeight: number;
}

export function rowWindow({ scrollTop, viewportHeight, rowHeight, count, overscan }: WindowInput): RowWindow {
  const totalHeight = count * rowHeight;
  if (count === 0 || rowHeight <= 0) return { start: 0, end: 0, offset: 0, totalHeight: Math.max(0, totalHeight) };
  // A scroll position past the end (the list just shrank) still shows the last screenful.
  const top = Math.min(Math.max(0, scrollTop), Math.max(0, totalHeight - viewportHeight));
  const first = Math.floor(top / rowHeight);
  const last = Math.ceil((top + Math.max(0, viewportHeight)) / rowHeight);
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, Math.max(last, first + 1) + overscan);
  return { start, end, offset: start * rowHeight, totalHeight };
}

/** The scrollTop that brings row `index` fully into view with the least movement. */
export function revealScrollTop(index: number, rowHeight: number, scrollTop: number, viewportHeight: number): number {
  const rowTop = index * rowHeight;
  const rowBottom = rowTop + rowHeight;
  if (rowTop < scrollTop) return rowTop;
  if (rowBottom > scrollTop + viewportHeight) return Math.max(0, rowBottom - viewportHeight);
  return scrollTop;
}

export type NavigationKey = 'ArrowUp' | 'ArrowDown' | 'Home' | 'End' | 'PageUp' | 'PageDown';

export function isNavigationKey(key: string): key is NavigationKey {
  return ['ArrowUp', 'ArrowDown', 'Home', 'End', 'PageUp', 'PageDown'].includes(key);
}

/** The row a key moves to; -1 (nothing active yet) moves to the first row on any key but End. */
export function nextIndex(current: number, key: NavigationKey, count: number, pageRows: number): number {
  if (count === 0) return -1;
  const page = Math.max(1, pageRows);
  const clamp = (index: number): number => Math.min(count - 1, Math.max(0, index));
  if (current < 0) return key === 'End' ? count - 1 : 0;
  switch (key) {
    case 'ArrowUp':
      return clamp(current - 1);
    case 'ArrowDown':
      return clamp(current + 1);
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    case 'PageUp':
      return clamp(current - page);
    case 'PageDown':
      return clamp(current + page);
  }
}

/** True when the rendered window comes within `threshold` rows of the loaded end: time to fetch the next page. */
export function nearEnd(range: Pick<RowWindow, 'end'>, count: number, threshold: number): boolean {
  return count - range.end <= threshold;
}
