import { describe, expect, it } from 'vitest';
import { accountStart, DEFAULT_CATCH_UP, windowStart } from '../../../daemon/catchup/policy.ts';

const NOW = Date.parse('2026-11-20T12:00:00.000Z');
const { overlapMs, clockSkewMs } = DEFAULT_CATCH_UP;

describe('where catch-up starts', () => {
  it('a brand-new account: only since it was added, less the clock allowance', () => {
    expect(accountStart(NOW, null, DEFAULT_CATCH_UP)).toEqual({ firstSeenAt: NOW, startAt: NOW - clockSkewMs });
  });

  it('an account that already holds mail: back to the newest, with the overlap (never past now)', () => {
    const newest = NOW - 3 * 3_600_000;
    expect(accountStart(NOW, newest, DEFAULT_CATCH_UP).startAt).toBe(newest - overlapMs);
    expect(accountStart(NOW, NOW + 3_600_000, DEFAULT_CATCH_UP).startAt).toBe(NOW - overlapMs);
  });

  it('an inbox: the newest mail its last complete listing saw, less the overlap, never before the account start', () => {
    const start = { firstSeenAt: NOW, startAt: NOW - clockSkewMs };
    expect(windowStart(null, start, DEFAULT_CATCH_UP)).toBe(start.startAt);
    expect(windowStart(NOW + 3_600_000, start, DEFAULT_CATCH_UP)).toBe(NOW + 3_600_000 - overlapMs);
    expect(windowStart(NOW, start, DEFAULT_CATCH_UP)).toBe(start.startAt);
  });
});
