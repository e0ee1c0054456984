import { describe, expect, it } from 'vitest';
import { isNavigationKey, nextIndex } from '../../../renderer/virtual/list-keys.ts';

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
