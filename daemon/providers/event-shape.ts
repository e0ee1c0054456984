// The one event shape (OpenMail's payload) checked on untrusted input: every field the relay and agents read
// is type-checked, unknown keys pass through untouched, and the first problem is reported instead of thrown.
import type { MailEvent } from '../../shared/event.ts';

/** Longest `event` / `event_id` / timestamp accepted: real ones are short, and these end up in keys and logs. */
export const MAX_ID_LENGTH = 256;

export type EventCheck = { ok: true; event: MailEvent } | { ok: false; reason: string };

export function parseMailEvent(value: unknown): EventCheck {
  const reason = eventProblem(value);
  return reason === null ? { ok: true, event: value as MailEvent } : { ok: false, reason };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Address lists become one string, as OpenMail writes `to`; anything else is left for the shape check. */
export function joinAddresses(value: unknown): unknown {
  return isStringArray(value) ? value.join(', ') : value;
}

interface Field {
  key: string;
  required: boolean;
  check: (value: unknown) => boolean;
  /** Completes "<key> must be ...". */
  expected: string;
}

const isString = (value: unknown): boolean => typeof value === 'string';
const isId = (value: unknown): boolean =>
  typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH;
const isDate = (value: unknown): boolean =>
  typeof value === 'string' && value.length <= MAX_ID_LENGTH && !Number.isNaN(Date.parse(value));
const isCount = (value: unknown): boolean => typeof value === 'number' && Number.isFinite(value) && value >= 0;
const isStringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

const ID = `a non-empty string of at most ${MAX_ID_LENGTH} characters`;

const EVENT_FIELDS: readonly Field[] = [
  { key: 'event', required: true, check: isId, expected: ID },
  { key: 'event_id', required: true, check: isId, expected: ID },
  { key: 'occurred_at', required: true, check: isDate, expected: 'a date string' },
  {
    key: 'inbox_id',
    required: true,
    check: (value) => value === null || typeof value === 'string',
    expected: 'a string or null',
  },
  { key: 'delivered_at', required: false, check: isString, expected: 'a string' },
  { key: 'attempt', required: false, check: isCount, expected: 'a non-negative number' },
  { key: 'thread_id', required: false, check: isString, expected: 'a string' },
  { key: 'test', required: false, check: (value) => typeof value === 'boolean', expected: 'a boolean' },
];

const MESSAGE_FIELDS: readonly Field[] = [
  { key: 'id', required: true, check: isString, expected: 'a string' },
  { key: 'rfc_message_id', required: false, check: isString, expected: 'a string' },
  { key: 'from', required: true, check: isString, expected: 'a string' },
  { key: 'to', required: true, check: isString, expected: 'a string' },
  { key: 'cc', required: false, check: isStringArray, expected: 'an array of strings' },
  { key: 'subject', required: true, check: isString, expected: 'a string' },
  { key: 'body_text', required: false, check: isString, expected: 'a string' },
  { key: 'received_at', required: false, check: isString, expected: 'a string' },
];

const ATTACHMENT_FIELDS: readonly Field[] = [
  { key: 'filename', required: true, check: isString, expected: 'a string' },
  { key: 'contentType', required: true, check: isString, expected: 'a string' },
  { key: 'sizeBytes', required: true, check: isCount, expected: 'a non-negative number' },
  { key: 'url', required: false, check: isString, expected: 'a string' },
  { key: 'parsedText', required: false, check: isString, expected: 'a string' },
  { key: 'extractionMethod', required: false, check: isString, expected: 'a string' },
  { key: 'attachmentId', required: false, check: isId, expected: ID },
];

function eventProblem(value: unknown): string | null {
  if (!isRecord(value)) return 'event is not an object';
  const problem = fieldsProblem(value, EVENT_FIELDS, '');
  if (problem !== null || value.message === undefined) return problem;
  return messageProblem(value.message);
}

function messageProblem(message: unknown): string | null {
  if (!isRecord(message)) return 'message must be an object';
  const problem = fieldsProblem(message, MESSAGE_FIELDS, 'message.');
  if (problem !== null || message.attachments === undefined) return problem;
  if (!Array.isArray(message.attachments)) return 'message.attachments must be an array';
  for (const [index, attachment] of message.attachments.entries()) {
    const prefix = `message.attachments[${index}].`;
    if (!isRecord(attachment)) return `${prefix.slice(0, -1)} must be an object`;
    const attachmentProblem = fieldsProblem(attachment, ATTACHMENT_FIELDS, prefix);
    if (attachmentProblem !== null) return attachmentProblem;
  }
  return null;
}

function fieldsProblem(record: Record<string, unknown>, fields: readonly Field[], prefix: string): string | null {
  for (const { key, required, check, expected } of fields) {
    const value = record[key];
    if (value === undefined) {
      if (required) return `${prefix}${key} is missing`;
    } else if (!check(value)) {
      return `${prefix}${key} must be ${expected}`;
    }
  }
  return null;
}
