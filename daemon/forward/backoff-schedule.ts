// When each delivery attempt happens: one entry per attempt, the delay (ms) after the previous failure.
// OpenMail's webhook policy: the first try at once, retries after 30 s, 60 s, 2 min and 4 min; after the
// fifth failure the event is dead-lettered. Tests pass a schedule of a few milliseconds.

export type RetrySchedule = readonly number[];

export const OPENMAIL_RETRY_SCHEDULE: RetrySchedule = [0, 30_000, 60_000, 120_000, 240_000];

export function validateSchedule(schedule: RetrySchedule): RetrySchedule {
  if (schedule.length === 0) throw new RangeError('a retry schedule needs at least one attempt');
  for (const delay of schedule) {
    if (!Number.isFinite(delay) || delay < 0) throw new RangeError(`retry delays must be finite and >= 0, got ${delay}`);
  }
  return schedule;
}
