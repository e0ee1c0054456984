// Where each event goes in JetStream and under which id: pure, so the subject rules are tested on their own.
// Subjects are `<prefix>.<account>.<inbox_id>.<event type>`; each part becomes one subject token.

/** A token holds letters, digits, `-` and `_`; NATS gives `.`, `*`, `>` and white space meanings of their own. */
const UNSAFE = /[^A-Za-z0-9_-]/g;
const MAX_TOKEN = 128;
/** The token for an event without an inbox (an empty or absent `inbox_id`). */
export const NO_INBOX = '_';

/**
 * One subject token from any text: every character other than a letter, digit, `-` or `_` becomes `_`, so
 * `message.received` is `message_received` and no value can add a token or a wildcard. Readable over unique:
 * the payload and the message id carry the exact values.
 */
export function subjectToken(text: string | null | undefined): string {
  if (typeof text !== 'string' || text === '') return NO_INBOX;
  return text.replace(UNSAFE, '_').slice(0, MAX_TOKEN);
}

export function eventSubject(prefix: string, account: string, inboxId: string | null, eventType: string): string {
  return `${prefix}.${subjectToken(account)}.${subjectToken(inboxId)}.${subjectToken(eventType)}`;
}

/** What names an event in the stream: its id, its type and the mail it belongs to, where known. */
export interface PublishedIdentity {
  eventId: string;
  eventType: string;
  /** The mail's key (daemon/providers/message-key.ts); null where the provider gives none. */
  messageKey: string | null;
}

/**
 * The same on every engine that holds the account, so JetStream stores an event once however many publish it. An
 * event of a known mail is named by its type and the mail's key, the rule the store dedupes by: one engine may have
 * the mail from a push and another from a catch-up over REST, under two event ids.
 */
export function messageId(account: string, event: PublishedIdentity): string {
  return event.messageKey === null ? `${account}:${event.eventId}` : `${account}:${event.eventType}:${event.messageKey}`;
}

/** The stream's subjects for a prefix: everything under it. */
export function streamSubject(prefix: string): string {
  return `${prefix}.>`;
}

/** Tokens after the prefix: account, inbox, event type. */
const EVENT_TOKENS = 3;

/** True when a stream subject pattern matches every subject we publish under `prefix`, so the stream captures them all. */
export function patternCovers(pattern: string, prefix: string): boolean {
  const have = pattern.split('.');
  const want = prefix.split('.');
  const total = want.length + EVENT_TOKENS;
  for (let i = 0; i < have.length; i++) {
    const token = have[i]!;
    if (i >= total) return false;
    if (token === '>') return true;
    if (token === '*') continue;
    // A literal past the prefix would match one account, inbox or event type, not all of them.
    if (i >= want.length || token !== want[i]) return false;
  }
  return have.length === total;
}
