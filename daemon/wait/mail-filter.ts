// Which mail ends a wait: sender, subject and body substrings (ignoring case), and exact inbox, account and event
// type. Pure; the waiter applies it to the store's pages and to the hub's batches alike.
import type { MailEvent } from '../../shared/event.ts';
import type { WaitRequest } from '../../shared/wait.ts';
import { bodyText } from '../mail-content/message-text.ts';

export interface MailFilter {
  from?: string;
  subject?: string;
  body?: string;
  inboxId?: string;
  account?: string;
  eventType?: string;
}

/** The filter a wait request asks for; empty strings are no filter, however they arrived. */
export function mailFilter(request: Pick<WaitRequest, 'from' | 'subject' | 'body' | 'inbox_id' | 'account' | 'event_type'>): MailFilter {
  const filter: MailFilter = {};
  const set = (key: keyof MailFilter, value: string | undefined): void => {
    if (value !== undefined && value !== '') filter[key] = value;
  };
  set('from', request.from);
  set('subject', request.subject);
  set('body', request.body);
  set('inboxId', request.inbox_id);
  set('account', request.account);
  set('eventType', request.event_type);
  return filter;
}

/** Everything but the account, which the hub's events do not carry (the store's records do: matchesAccount). */
export function matchesEvent(filter: MailFilter, event: MailEvent): boolean {
  if (filter.inboxId !== undefined && event.inbox_id !== filter.inboxId) return false;
  if (filter.eventType !== undefined && event.event !== filter.eventType) return false;
  const message = event.message;
  if (filter.from !== undefined && !contains(message?.from, filter.from)) return false;
  if (filter.subject !== undefined && !contains(message?.subject, filter.subject)) return false;
  if (filter.body !== undefined && !contains(bodyText(message), filter.body)) return false;
  return true;
}

export function matchesAccount(filter: MailFilter, account: string): boolean {
  return filter.account === undefined || filter.account === account;
}

function contains(text: unknown, part: string): boolean {
  return typeof text === 'string' && text.toLowerCase().includes(part.toLowerCase());
}
