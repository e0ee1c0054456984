// When each delivery attempt happens, and when an event stops being tried and becomes a dead letter.
// `local` (the default) is for agents on this machine: a receiver that answered 500 once is usually back at once,
// so the first retry comes within 1 s, then 2 s, 5 s, 15 s, 1 min and every 5 min, each with jitter, until the
// attempts or the age run out. `openmail` keeps OpenMail's webhook policy: the first try at once, retries after
// 30 s, 60 s, 2 min and 4 min, five attempts in all. Tests pass explicit schedules of a few milliseconds.
import type { ForwardDelivery } from '../../shared/forward-delivery.ts';

/** Explicit delays in ms, one per attempt: [0] before the first, [1] before the second, and so on. */
export type RetrySchedule = readonly number[];

export const OPENMAIL_RETRY_SCHEDULE: RetrySchedule = [0, 30_000, 60_000, 120_000, 240_000];

/** The local schedule's steps before jitter: the last one repeats. */
export const LOCAL_RETRY_STEPS: RetrySchedule = [1_000, 2_000, 5_000, 15_000, 60_000, 300_000];

export interface RetryPolicy {
  /** `local` steps with jitter, or explicit delays (whose length also caps the attempts). */
  schedule: 'local' | RetrySchedule;
  maxAttempts: number;
  /** No attempt starts later than this after the first one; null: no age limit. */
  maxAgeMs: number | null;
}

export function validateSchedule(schedule: RetrySchedule): RetrySchedule {
  if (schedule.length === 0) throw new RangeError('a retry schedule needs at least one attempt');
  for (const delay of schedule) {
    if (!Number.isFinite(delay) || delay < 0) throw new RangeError(`retry delays must be finite and >= 0, got ${delay}`);
  }
  return schedule;
}

/** A target's delivery settings as a retry policy. */
export function retryPolicy(delivery: Pick<ForwardDelivery, 'retry' | 'maxAttempts' | 'maxAgeSeconds'>): RetryPolicy {
  return {
    schedule: delivery.retry === 'openmail' ? OPENMAIL_RETRY_SCHEDULE : 'local',
    maxAttempts: delivery.maxAttempts,
    maxAgeMs: delivery.maxAgeSeconds === null ? null : delivery.maxAgeSeconds * 1000,
  };
}

/** Every target on an explicit schedule (tests, and engines started with one): as many attempts as it has delays. */
export function fixedPolicy(schedule: RetrySchedule): RetryPolicy {
  return { schedule: validateSchedule(schedule), maxAttempts: schedule.length, maxAgeMs: null };
}

/** The wait before the first attempt: only an explicit schedule has one. */
export function firstDelay(policy: RetryPolicy): number {
  return policy.schedule === 'local' ? 0 : (policy.schedule[0] ?? 0);
}

/**
 * The wait before the next attempt after `failed` failed attempts, `elapsedMs` after the first one started; null
 * when the event is out of attempts or would be tried after its age limit, and so becomes a dead letter.
 * `random` in [0, 1) spreads local retries over the second half of each step, so the first comes within 1 s.
 */
export function nextRetryDelay(policy: RetryPolicy, failed: number, elapsedMs: number, random: () => number): number | null {
  const { schedule } = policy;
  const attempts = schedule === 'local' ? policy.maxAttempts : Math.min(policy.maxAttempts, schedule.length);
  if (failed >= attempts) return null;
  const delay =
    schedule === 'local'
      ? Math.round(LOCAL_RETRY_STEPS[Math.min(failed, LOCAL_RETRY_STEPS.length) - 1]! * (0.5 + random() / 2))
      : schedule[failed]!;
  if (policy.maxAgeMs !== null && elapsedMs + delay > policy.maxAgeMs) return null;
  return delay;
}
