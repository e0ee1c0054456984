// A forwarding target: where events are POSTed, with which secret, and which events it wants.
// Forwarding exists for local agents, so a target must be loopback unless remote delivery is asked for.
import type { MailEvent } from '../../shared/event.ts';
import {
  DEFAULT_FORWARD_DELIVERY,
  FORWARD_DELIVERY_LIMITS,
  FORWARD_ORDERS,
  FORWARD_RETRIES,
  type ForwardDelivery,
} from '../../shared/forward-delivery.ts';

export interface ForwardTarget {
  /** Stable across restarts: the delivery cursor and dead letters are keyed by it. */
  id: string;
  url: string;
  /** HMAC key for `X-Signature`, as an OpenMail webhook secret. */
  secret: string;
  /** Empty = every inbox. */
  inboxIds: string[];
  /** Empty = every event type. */
  eventTypes: string[];
  /** Permit a non-loopback host (an explicit opt-in; the default refuses them). */
  allowRemote?: boolean;
  /** Retries, dead letters and ordering; absent = DEFAULT_FORWARD_DELIVERY. */
  delivery?: ForwardDelivery;
}

/** A target as validateForwardTarget returns it: filters deduplicated, delivery options filled in. */
export type CheckedForwardTarget = ForwardTarget & { delivery: ForwardDelivery };

export class ForwardTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForwardTargetError';
  }
}

const TARGET_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Checks one target and returns it with its filters deduplicated; throws `ForwardTargetError` with the reason. */
export function validateForwardTarget(target: ForwardTarget): CheckedForwardTarget {
  if (typeof target.id !== 'string' || !TARGET_ID.test(target.id)) {
    throw new ForwardTargetError(`forward target id ${JSON.stringify(target.id)} must be 1-128 of A-Z a-z 0-9 . _ : -`);
  }
  let url: URL;
  try {
    url = new URL(target.url);
  } catch {
    throw new ForwardTargetError(`forward target ${target.id}: ${JSON.stringify(target.url)} is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ForwardTargetError(`forward target ${target.id}: only http:// and https:// URLs can receive webhooks, not ${url.protocol}`);
  }
  if (!target.allowRemote && !isLoopbackHost(url.hostname)) {
    throw new ForwardTargetError(
      `forward target ${target.id}: ${url.host} is not a loopback address; forwarding is for agents on this machine ` +
        '(use 127.0.0.1, [::1] or localhost, or allow remote targets explicitly)',
    );
  }
  if (typeof target.secret !== 'string' || target.secret === '') {
    throw new ForwardTargetError(`forward target ${target.id}: a non-empty signing secret is required`);
  }
  return {
    ...target,
    inboxIds: filterList(target.id, 'inboxIds', target.inboxIds),
    eventTypes: filterList(target.id, 'eventTypes', target.eventTypes),
    delivery: validateDelivery(target.id, target.delivery ?? DEFAULT_FORWARD_DELIVERY),
  };
}

/** A target's delivery options, checked against the same limits the settings schema holds them to. */
export function validateDelivery(id: string, delivery: ForwardDelivery): ForwardDelivery {
  const { retry, maxAttempts, maxAgeSeconds, order, concurrency } = delivery;
  if (!FORWARD_RETRIES.includes(retry)) throw new ForwardTargetError(`forward target ${id}: retry must be one of ${FORWARD_RETRIES.join(', ')}`);
  if (!FORWARD_ORDERS.includes(order)) throw new ForwardTargetError(`forward target ${id}: order must be one of ${FORWARD_ORDERS.join(', ')}`);
  const limits = FORWARD_DELIVERY_LIMITS;
  checkInt(id, 'maxAttempts', maxAttempts, limits.maxAttempts);
  if (maxAgeSeconds !== null) checkInt(id, 'maxAgeSeconds', maxAgeSeconds, limits.maxAgeSeconds);
  checkInt(id, 'concurrency', concurrency, limits.concurrency);
  return { retry, maxAttempts, maxAgeSeconds, order, concurrency };
}

function checkInt(id: string, field: string, value: unknown, range: { min: number; max: number }): void {
  if (!Number.isSafeInteger(value) || (value as number) < range.min || (value as number) > range.max) {
    throw new ForwardTargetError(`forward target ${id}: ${field} must be a whole number from ${range.min} to ${range.max}`);
  }
}

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '::1') return true;
  const v4 = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return v4 === null ? false : v4.slice(1).every((part) => Number(part) <= 255);
}

export function targetWants(target: ForwardTarget, event: MailEvent): boolean {
  const inboxOk = target.inboxIds.length === 0 || (event.inbox_id !== null && target.inboxIds.includes(event.inbox_id));
  return inboxOk && (target.eventTypes.length === 0 || target.eventTypes.includes(event.event));
}

/** The URL as shown in status: credentials a user put in it are not for display. */
export function displayUrl(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.toString();
}

function filterList(id: string, field: string, value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' && item !== '')) {
    throw new ForwardTargetError(`forward target ${id}: ${field} must be an array of non-empty strings`);
  }
  return [...new Set(value as string[])];
}
