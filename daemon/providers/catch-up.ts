// The catch-up capability each adapter has: how its provider's REST API lists inboxes and recent inbound mail
// page by page, fetches one whole message where a listing has no bodies, and how a REST message becomes the one
// event shape. Pure mapping over whatever the REST client answered: every answer is checked here, an envelope of
// the wrong shape is a `malformed` failure, and an item that does not map is counted and left out.
import { createHash } from 'node:crypto';
import { MESSAGE_RECEIVED, type MailEvent } from '../../shared/event.ts';
import { isRecord, parseMailEvent } from './event-shape.ts';
import type { RestFailure, RestQuery, RestResult } from './rest-result.ts';

/** A GET on the account's REST API (its base, key, limits, pacing and cancellation already applied). */
export type RestGet = (path: string, query?: RestQuery) => Promise<RestResult<unknown>>;

/** `delivery` on an event that came by catch-up rather than by the socket: agents can tell how it came. */
export const CATCH_UP_DELIVERY = 'catch_up';

export interface CaughtItem {
  /** Mapped and shape-checked; without its body when `whole` is false. */
  event: MailEvent;
  /** When the provider received it (epoch ms, the provider's clock). */
  at: number;
  /** False where the listing has no bodies: `fetchWhole` completes it. */
  whole: boolean;
}

export interface Page<T> {
  items: T[];
  /** What asks for the next page (an offset or a page token); null on the last. */
  next: string | null;
  /** Items left out because they did not map onto the event shape. */
  skipped: number;
}

export interface ListRequest {
  /** From the previous page; null for the first. */
  cursor: string | null;
  limit: number;
  /** Epoch ms: nothing received before this is wanted (a provider that can filter by time is told). */
  since: number;
}

export interface ProviderCatchUp {
  /** The most a listing page holds. */
  readonly maxPageSize: number;
  /** REST requests a minute one account may make (OpenMail: 1,000); catch-up stays under it. */
  readonly requestsPerMinute: number;
  listInboxes(get: RestGet, cursor: string | null): Promise<RestResult<Page<string>>>;
  /** Inbound mail, newest first. */
  listInbound(get: RestGet, inboxId: string, request: ListRequest): Promise<RestResult<Page<CaughtItem>>>;
  /** The whole message behind an item whose listing had no body. */
  fetchWhole(get: RestGet, inboxId: string, item: CaughtItem): Promise<RestResult<MailEvent>>;
}

/** A caught-up `message.received`: none of the providers' REST messages carries an event id, so it is derived
 * from the message id, and stays the same however often the message is listed. */
export function caughtEvent(messageId: string, fields: Record<string, unknown>): MailEvent | null {
  const checked = parseMailEvent({ event: MESSAGE_RECEIVED, event_id: catchUpEventId(messageId), ...fields, delivery: CATCH_UP_DELIVERY });
  return checked.ok ? checked.event : null;
}

export function catchUpEventId(messageId: string): string {
  return `evt_catchup_${createHash('sha256').update(messageId).digest('hex').slice(0, 24)}`;
}

/** Epoch ms of a provider timestamp; null when it is not one. */
export function timeOf(value: unknown): number | null {
  if (typeof value !== 'string' || value.length > 64) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/** The ISO form of a provider timestamp already known to parse. */
export function isoOf(ms: number): string {
  return new Date(ms).toISOString();
}

export function malformed(what: string): RestResult<never> {
  const failure: RestFailure = { kind: 'malformed', status: null, retryAfterMs: null, message: `${what}: unexpected answer shape` };
  return { ok: false, failure };
}

/** The records of a list under `key`, or null when the envelope is not an object with such a list. */
export function listIn(value: unknown, key: string): unknown[] | null {
  if (!isRecord(value)) return null;
  const list = value[key];
  return Array.isArray(list) ? list : null;
}

export function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 256;
}

/** Items of a page mapped one by one; those that do not map are counted, not fatal. */
export function mapItems<T>(records: readonly unknown[], map: (record: Record<string, unknown>) => T | null): { items: T[]; skipped: number } {
  const items: T[] = [];
  let skipped = 0;
  for (const record of records) {
    const item = isRecord(record) ? map(record) : null;
    if (item === null) skipped += 1;
    else items.push(item);
  }
  return { items, skipped };
}

/** The next offset when a full page came back and more may follow. */
export function nextOffset(offset: number, count: number, limit: number, total: unknown): string | null {
  if (count < limit || count === 0) return null;
  if (typeof total === 'number' && Number.isFinite(total) && offset + count >= total) return null;
  return String(offset + count);
}

/** An offset cursor read back; a cursor this module did not write starts from the top. */
export function offsetOf(cursor: string | null): number {
  const offset = cursor === null ? 0 : Number(cursor);
  return Number.isSafeInteger(offset) && offset >= 0 ? offset : 0;
}
