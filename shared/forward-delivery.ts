// How a forward target gets its events: the retry schedule, when an event becomes a dead letter, and ordering.
// Kept in settings per target, asked for when a target is added, and shown in status.

/** `local`: first retry within 1 s, then 2 s, 5 s, 15 s, 1 min, 5 min (with jitter). `openmail`: OpenMail's webhook schedule. */
export type ForwardRetry = 'local' | 'openmail';
export const FORWARD_RETRIES: readonly ForwardRetry[] = ['local', 'openmail'];

/** `strict`: one event at a time, each after the previous one was answered. `unordered`: up to `concurrency` at once. */
export type ForwardOrder = 'strict' | 'unordered';
export const FORWARD_ORDERS: readonly ForwardOrder[] = ['strict', 'unordered'];

export interface ForwardDelivery {
  retry: ForwardRetry;
  /** Attempts per event before it becomes a dead letter (OpenMail's schedule has five: more cannot lengthen it). */
  maxAttempts: number;
  /** No attempt starts later than this after the first; null: attempts alone decide. */
  maxAgeSeconds: number | null;
  order: ForwardOrder;
  /** Deliveries in flight at once when `unordered`; strict order always sends one at a time. */
  concurrency: number;
}

export const FORWARD_DELIVERY_LIMITS = {
  maxAttempts: { min: 1, max: 100 },
  maxAgeSeconds: { min: 1, max: 7 * 86_400 },
  concurrency: { min: 1, max: 64 },
} as const;

export const DEFAULT_FORWARD_DELIVERY: Readonly<ForwardDelivery> = {
  retry: 'local',
  maxAttempts: 10,
  maxAgeSeconds: 3_600,
  order: 'strict',
  concurrency: 8,
};

/** OpenMail's webhook schedule tries each event five times. */
export const OPENMAIL_ATTEMPTS = 5;

/** A target's delivery with what was left out filled in: with OpenMail's schedule, its own five attempts. */
export function completeDelivery(given: Partial<ForwardDelivery> = {}): ForwardDelivery {
  const defaults = given.retry === 'openmail' ? { ...DEFAULT_FORWARD_DELIVERY, maxAttempts: OPENMAIL_ATTEMPTS } : DEFAULT_FORWARD_DELIVERY;
  return { ...defaults, ...given };
}
