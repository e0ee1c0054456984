import { describe, expect, it } from 'vitest';
import { formatBytes } from '../../../renderer/format/bytes.ts';

describe('formatBytes', () => {
  it('keeps small sizes exact', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(840)).toBe('840 B');
    expect(formatBytes(1023)).toBe('1023 B');
  });

  it('uses one decimal below ten units and whole numbers above', () => {
    expect(formatBytes(1024)).toBe('1 KB');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(12_345)).toBe('12 KB');
    expect(formatBytes(3.4 * 1024 * 1024)).toBe('3.4 MB');
    expect(formatBytes(5 * 1024 ** 3)).toBe('5 GB');
  });

  it('steps up a unit when rounding reaches it', () => {
    expect(formatBytes(1024 * 1024 - 1)).toBe('1 MB');
  });

  it('says nothing sensible about nonsense', () => {
    expect(formatBytes(-1)).toBe('—');
    expect(formatBytes(Number.NaN)).toBe('—');
  });
});
