// Which row a key moves the list's cursor to. Pure, so it is tested apart from the DOM.

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
