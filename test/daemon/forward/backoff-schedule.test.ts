import { describe, expect, it } from 'vitest';
import { OPENMAIL_RETRY_SCHEDULE, validateSchedule } from '../../../daemon/forward/backoff-schedule.ts';

describe('retry schedule', () => {
  it("is OpenMail's webhook policy by default: five attempts, at once, then +30 s, +60 s, +2 min, +4 min", () => {
    expect(validateSchedule(OPENMAIL_RETRY_SCHEDULE)).toEqual([0, 30_000, 60_000, 120_000, 240_000]);
  });

  it('refuses an empty schedule and negative or non-finite delays', () => {
    expect(() => validateSchedule([])).toThrow(RangeError);
    expect(() => validateSchedule([0, -1])).toThrow(RangeError);
    expect(() => validateSchedule([0, Number.NaN])).toThrow(RangeError);
    expect(validateSchedule([0, 5])).toEqual([0, 5]);
  });
});
