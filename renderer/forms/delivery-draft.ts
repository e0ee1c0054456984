// A forward target's delivery options as the add-target form edits them (numbers as text), turned into what the
// engine takes, or a message saying what is wrong, before anything is sent.
import {
  DEFAULT_FORWARD_DELIVERY,
  FORWARD_DELIVERY_LIMITS,
  OPENMAIL_ATTEMPTS,
  type ForwardDelivery,
  type ForwardOrder,
  type ForwardRetry,
} from '../../shared/forward-delivery.ts';

export interface DeliveryDraft {
  retry: ForwardRetry;
  order: ForwardOrder;
  concurrency: string;
  maxAttempts: string;
  /** Empty: no age limit. */
  maxAgeMinutes: string;
}

export const DEFAULT_DELIVERY_DRAFT: DeliveryDraft = {
  retry: DEFAULT_FORWARD_DELIVERY.retry,
  order: DEFAULT_FORWARD_DELIVERY.order,
  concurrency: String(DEFAULT_FORWARD_DELIVERY.concurrency),
  maxAttempts: String(DEFAULT_FORWARD_DELIVERY.maxAttempts),
  maxAgeMinutes: DEFAULT_FORWARD_DELIVERY.maxAgeSeconds === null ? '' : String(DEFAULT_FORWARD_DELIVERY.maxAgeSeconds / 60),
};

/** OpenMail's schedule has five attempts: choosing it proposes five, choosing the local one its default again. */
export function withRetry(draft: DeliveryDraft, retry: ForwardRetry): DeliveryDraft {
  const maxAttempts = retry === 'openmail' ? String(OPENMAIL_ATTEMPTS) : String(DEFAULT_FORWARD_DELIVERY.maxAttempts);
  return { ...draft, retry, maxAttempts };
}

export type DeliveryResult = { ok: true; delivery: ForwardDelivery } | { ok: false; error: string };

export function deliveryFromDraft(draft: DeliveryDraft): DeliveryResult {
  const limits = FORWARD_DELIVERY_LIMITS;
  const maxAttempts = whole(draft.maxAttempts, limits.maxAttempts);
  if (maxAttempts === null) return rangeError('Attempts', limits.maxAttempts);
  const concurrency = draft.order === 'strict' ? DEFAULT_FORWARD_DELIVERY.concurrency : whole(draft.concurrency, limits.concurrency);
  if (concurrency === null) return rangeError('At once', limits.concurrency);
  let maxAgeSeconds: number | null = null;
  if (draft.maxAgeMinutes.trim() !== '') {
    const minutes = whole(draft.maxAgeMinutes, { min: 1, max: limits.maxAgeSeconds.max / 60 });
    if (minutes === null) return { ok: false, error: `Give up after must be from 1 to ${limits.maxAgeSeconds.max / 60} minutes, or empty for no limit` };
    maxAgeSeconds = minutes * 60;
  }
  return { ok: true, delivery: { retry: draft.retry, maxAttempts, maxAgeSeconds, order: draft.order, concurrency } };
}

function whole(text: string, range: { min: number; max: number }): number | null {
  const trimmed = text.trim();
  if (!/^\d{1,9}$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return value >= range.min && value <= range.max ? value : null;
}

function rangeError(what: string, range: { min: number; max: number }): DeliveryResult {
  return { ok: false, error: `${what} must be a whole number from ${range.min} to ${range.max}` };
}

/** One line for the target list: how it retries and in what order. */
export function describeDelivery(delivery: ForwardDelivery): string {
  const retry = delivery.retry === 'openmail' ? "OpenMail's retries" : 'quick retries';
  const limit = delivery.maxAgeSeconds === null ? '' : ` or ${formatAge(delivery.maxAgeSeconds)}`;
  const order = delivery.order === 'strict' ? 'in order' : `unordered, ${delivery.concurrency} at once`;
  return `${retry}, ${delivery.maxAttempts} attempts${limit} · ${order}`;
}

function formatAge(seconds: number): string {
  if (seconds % 3_600 === 0) return `${seconds / 3_600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}
