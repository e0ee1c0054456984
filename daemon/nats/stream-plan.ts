// The stream Mailbridge publishes into: what it creates when the stream is missing, and whether an existing one
// captures our subjects. Pure; the broker calls are in jetstream-link.ts.
import { patternCovers, streamSubject } from './subjects.ts';

const DAY_MS = 86_400_000;
const NANOS_PER_MS = 1_000_000;

/**
 * How long JetStream remembers a message id. Two engines holding one account publish the same event within
 * seconds while both are live; the long overlaps come from an engine that was asleep, offline or down and then
 * replays the provider's backlog, publishing events the other engine published hours before. A day covers an
 * engine that was away overnight; the cost is the broker's memory for the ids of one day's mail.
 */
export const DEFAULT_DUPLICATE_WINDOW_MS = DAY_MS;

export interface StreamOptions {
  stream: string;
  subjectPrefix: string;
  maxAgeDays: number | null;
  maxBytes: number | null;
}

/** The stream's configuration as the JetStream API takes it (durations in nanoseconds, -1 and 0 for no limit). */
export interface StreamPlan {
  name: string;
  subjects: string[];
  storage: 'file';
  duplicate_window: number;
  max_age: number;
  max_bytes: number;
}

export function streamPlan(options: StreamOptions): StreamPlan {
  const maxAgeMs = options.maxAgeDays === null ? null : options.maxAgeDays * DAY_MS;
  // JetStream refuses a duplicate window longer than the stream keeps messages.
  const windowMs = maxAgeMs === null ? DEFAULT_DUPLICATE_WINDOW_MS : Math.min(DEFAULT_DUPLICATE_WINDOW_MS, maxAgeMs);
  return {
    name: options.stream,
    subjects: [streamSubject(options.subjectPrefix)],
    storage: 'file',
    duplicate_window: windowMs * NANOS_PER_MS,
    max_age: maxAgeMs === null ? 0 : maxAgeMs * NANOS_PER_MS,
    max_bytes: options.maxBytes ?? -1,
  };
}

/** An existing stream that would not capture what we publish: used as it is by nobody, changed by nothing. */
export class StreamMismatchError extends Error {
  constructor(stream: string, subjects: readonly string[], prefix: string) {
    super(
      `the stream ${stream} exists with subjects ${JSON.stringify(subjects)}, which do not capture ${streamSubject(prefix)}; ` +
        'Mailbridge does not change a stream it did not create. Choose another stream name, a prefix the stream ' +
        'captures, or add the subject to the stream yourself.',
    );
    this.name = 'StreamMismatchError';
  }
}

/** Throws StreamMismatchError unless one of the stream's subjects covers everything under `prefix`. */
export function checkStreamSubjects(stream: string, subjects: readonly string[], prefix: string): void {
  if (!subjects.some((pattern) => patternCovers(pattern, prefix))) throw new StreamMismatchError(stream, subjects, prefix);
}

export function nanosToSeconds(nanos: number): number {
  return Math.round(nanos / NANOS_PER_MS / 1000);
}
