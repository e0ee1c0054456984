// What a history row shows for any event: mail has a sender and subject; other events (an inbox suspended,
// a bounce) are described by their type and whatever the provider said about them.
import type { MailEvent } from '../../shared/event.ts';
import { senderName } from './address.ts';

export interface EventSummary {
  from: string;
  subject: string;
  /** When it happened upstream; falls back to when it was stored. */
  at: string;
}

export function summarizeEvent(event: MailEvent, storedAt: string): EventSummary {
  const at = event.message?.received_at ?? event.occurred_at ?? storedAt;
  if (event.message !== undefined) {
    return { from: senderName(event.message.from), subject: event.message.subject.trim() || '(no subject)', at };
  }
  const address = typeof event.inbox_address === 'string' ? event.inbox_address : (event.inbox_id ?? '');
  const reason = typeof event.reason === 'string' && event.reason !== '' ? `: ${event.reason}` : '';
  return { from: address || event.event, subject: `${event.event}${reason}`, at };
}
