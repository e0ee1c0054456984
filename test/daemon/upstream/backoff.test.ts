import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF } from '../../../daemon/upstream/backoff.ts';

describe('backoffDelay', () => {
  it('retries at once after a stable connection dropped', () => {
    expect(backoffDelay(0, DEFAULT_BACKOFF, () => 0.999)).toBe(0);
  });

  it('grows exponentially from 1 s', () => {
    const max = (attempt: number) => backoffDelay(attempt, DEFAULT_BACKOFF, () => 0.999999);
    expect(max(1)).toBe(999);
    expect(max(2)).toBe(1_999);
    expect(max(3)).toBe(3_999);
    expect(max(5)).toBe(15_999);
  });

  it('is capped at 30 s however many attempts failed', () => {
    expect(backoffDelay(6, DEFAULT_BACKOFF, () => 0.999999)).toBe(29_999);
    expect(backoffDelay(10_000, DEFAULT_BACKOFF, () => 0.999999)).toBe(29_999);
  });

  it('spreads delays over the whole window (full jitter)', () => {
    expect(backoffDelay(4, DEFAULT_BACKOFF, () => 0)).toBe(0);
    expect(backoffDelay(4, DEFAULT_BACKOFF, () => 0.5)).toBe(4_000);
  });
});
