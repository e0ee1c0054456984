// What makes two events one mail, beside the event id: the same mail can come twice by two routes (a catch-up
// over REST, then a late push, or the reverse) with two different event ids. Each adapter picks the rule its
// provider allows (docs/providers.md, "One message, once"); the store refuses a second event of the same type
// with the same key for the same account.
import { createHash } from 'node:crypto';
import type { MailEvent } from '../../shared/event.ts';

/** Longest id kept as it is in a key; a longer one (the shape check bounds none) is hashed, so keys stay small. */
const MAX_PLAIN_ID = 200;

/** The provider's message id, where pushes and REST share it (OpenMail, AgentMail). */
export function messageIdKey(event: MailEvent): string | null {
  const id = event.message?.id;
  if (typeof id !== 'string' || id === '') return null;
  return id.length <= MAX_PLAIN_ID ? `id:${id}` : `id#${digest(id)}`;
}

/**
 * Where a push carries no message id (myagentmail), a fingerprint of what both routes carry alike: the inbox,
 * the thread, the sender's bare address, the subject and the time received to the millisecond. Null without a
 * received time, which would otherwise be the time of arrival and match nothing.
 */
export function fingerprintKey(event: MailEvent): string | null {
  const message = event.message;
  const at = message?.received_at === undefined ? Number.NaN : Date.parse(message.received_at);
  if (!message || Number.isNaN(at)) return null;
  const parts = [event.inbox_id ?? '', event.thread_id ?? '', bareAddress(message.from), message.subject, new Date(at).toISOString()];
  return `fp:${digest(JSON.stringify(parts))}`;
}

/** `Dana <dana@x.example>` and `DANA@x.example` are one sender. */
export function bareAddress(from: string): string {
  const angled = /<([^<>]*)>\s*$/.exec(from);
  return (angled?.[1] ?? from).trim().toLowerCase();
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}
