import { describe, expect, it } from 'vitest';
import { checkStreamSubjects, DEFAULT_DUPLICATE_WINDOW_MS, StreamMismatchError, streamPlan } from '../../../daemon/nats/stream-plan.ts';

const NS_PER_DAY = 86_400 * 1e9;

describe('the stream Mailbridge creates', () => {
  it('is file storage over <prefix>.> with a day-long duplicate window and the retention asked for', () => {
    expect(streamPlan({ stream: 'MAILBRIDGE', subjectPrefix: 'mailbridge', maxAgeDays: 30, maxBytes: 1_000_000 })).toEqual({
      name: 'MAILBRIDGE',
      subjects: ['mailbridge.>'],
      storage: 'file',
      duplicate_window: NS_PER_DAY,
      max_age: 30 * NS_PER_DAY,
      max_bytes: 1_000_000,
    });
    expect(DEFAULT_DUPLICATE_WINDOW_MS).toBe(86_400_000);
  });

  it('says "no limit" the way JetStream does', () => {
    const plan = streamPlan({ stream: 'S', subjectPrefix: 'p', maxAgeDays: null, maxBytes: null });
    expect(plan.max_age).toBe(0);
    expect(plan.max_bytes).toBe(-1);
    expect(plan.duplicate_window).toBe(NS_PER_DAY);
  });
});

describe('an existing stream', () => {
  it('is used when one of its subjects captures the prefix', () => {
    expect(() => checkStreamSubjects('S', ['orders.>', 'mailbridge.>'], 'mailbridge')).not.toThrow();
  });

  it('is refused, naming it, its subjects and ours, when none does', () => {
    const check = (): void => checkStreamSubjects('MAILBRIDGE', ['mailbridge.work.>'], 'mailbridge');
    expect(check).toThrow(StreamMismatchError);
    expect(check).toThrow(/MAILBRIDGE exists with subjects \["mailbridge\.work\.>"\], which do not capture mailbridge\.>/);
  });
});
