import { describe, expect, it } from 'vitest';
import { describeIdList, parseIdList } from '../../../renderer/format/id-list.ts';

describe('parseIdList / describeIdList', () => {
  it('splits on commas and spaces, drops blanks and repeats', () => {
    expect(parseIdList(' inb_1, inb_2  inb_1,,')).toEqual(['inb_1', 'inb_2']);
    expect(parseIdList('   ')).toEqual([]);
  });

  it('names the empty list as "all"', () => {
    expect(describeIdList([], 'All inboxes')).toBe('All inboxes');
    expect(describeIdList(['a', 'b'], 'All inboxes')).toBe('a, b');
  });
});
