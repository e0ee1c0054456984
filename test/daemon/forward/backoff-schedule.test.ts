import { describe, expect, it } from 'vitest';
import {
  firstDelay,
  fixedPolicy,
  nextRetryDelay,
  OPENMAIL_RETRY_SCHEDULE,
  retryPolicy,
  validateSchedule,
  type RetryPolicy,
} from '../../../daemon/forward/backoff-schedule.ts';
import { completeDelivery, DEFAULT_FORWARD_DELIVERY } from '../../../shared/forward-delivery.ts';

/** Every delay the policy allows after each failure in turn, with `random` fixed, until it gives up. */
function delays(policy: RetryPolicy, random: number, elapsedPerAttempt = 0): number[] {
  const out: number[] = [];
  let elapsed = 0;
  for (let failed = 1; ; failed++) {
    const delay = nextRetryDelay(policy, failed, elapsed, () => random);
    if (delay === null) return out;
    out.push(delay);
    elapsed += delay + elapsedPerAttempt;
  }
}

describe('retry schedule', () => {
  it("is OpenMail's webhook policy when asked for: five attempts, at once, then +30 s, +60 s, +2 min, +4 min", () => {
    const policy = retryPolicy(completeDelivery({ retry: 'openmail' }));
    expect(firstDelay(policy)).toBe(0);
    expect(delays(policy, 0.5)).toEqual([30_000, 60_000, 120_000, 240_000]);
    expect(validateSchedule(OPENMAIL_RETRY_SCHEDULE)).toEqual([0, 30_000, 60_000, 120_000, 240_000]);
  });

  it('retries local targets within a second, then after 2 s, 5 s, 15 s, 1 min and every 5 min, each with jitter', () => {
    const policy = retryPolicy({ ...DEFAULT_FORWARD_DELIVERY, maxAgeSeconds: null });
    expect(firstDelay(policy)).toBe(0);
    // The jitter takes each step's second half: the first retry comes between 0.5 s and 1 s.
    expect(delays(policy, 0.999_999)).toEqual([1_000, 2_000, 5_000, 15_000, 60_000, 300_000, 300_000, 300_000, 300_000]);
    expect(delays(policy, 0)).toEqual([500, 1_000, 2_500, 7_500, 30_000, 150_000, 150_000, 150_000, 150_000]);
  });

  it('gives up after the configured attempts, or before an attempt would start past the age limit', () => {
    expect(delays(retryPolicy({ retry: 'local', maxAttempts: 3, maxAgeSeconds: null }), 0.999_999)).toEqual([1_000, 2_000]);
    // 1 + 2 + 5 s of waiting plus 1 s per attempt: the fourth retry (15 s more) would start after 20 s.
    expect(delays(retryPolicy({ retry: 'local', maxAttempts: 100, maxAgeSeconds: 20 }), 0.999_999, 1_000)).toEqual([1_000, 2_000, 5_000]);
    // OpenMail's schedule can be shortened, not lengthened.
    expect(delays(retryPolicy({ retry: 'openmail', maxAttempts: 2, maxAgeSeconds: null }), 0)).toEqual([30_000]);
    expect(delays(retryPolicy({ retry: 'openmail', maxAttempts: 50, maxAgeSeconds: null }), 0)).toHaveLength(4);
  });

  it('takes an explicit schedule as it is, one attempt per delay', () => {
    const policy = fixedPolicy([5, 10, 20]);
    expect(firstDelay(policy)).toBe(5);
    expect(delays(policy, 0.5)).toEqual([10, 20]);
  });

  it('refuses an empty schedule and negative or non-finite delays', () => {
    expect(() => validateSchedule([])).toThrow(RangeError);
    expect(() => validateSchedule([0, -1])).toThrow(RangeError);
    expect(() => validateSchedule([0, Number.NaN])).toThrow(RangeError);
    expect(validateSchedule([0, 5])).toEqual([0, 5]);
  });
});
