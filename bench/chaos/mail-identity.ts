// What counts as one mail when chaos checks an agent: not the event id (a mail caught up over REST and the same
// mail pushed carry two), but the provider's message key, the same rule the store dedupes on
// (daemon/providers/message-key.ts). Every mail the demo received, pushed or not, is expected once at every agent.
import type { MailboxMessage } from '../../daemon/demo/mailbox.ts';
import type { DemoProvider } from '../../daemon/demo/server.ts';
import { getAdapter } from '../../daemon/providers/index.ts';
import { MESSAGE_RECEIVED, type MailEvent } from '../../shared/event.ts';
import type { ProviderName } from '../../shared/status.ts';

export type MailIdentity = (event: MailEvent) => string;

/** The identity of a received event, as the flavour's provider names its mail. */
export function mailIdentity(flavour: ProviderName): MailIdentity {
  const adapter = getAdapter(flavour);
  return (event) => adapter.messageKey(event) ?? `event:${event.event_id}`;
}

/** The identity of every mail the demo received, in arrival order. */
export function receivedMail(provider: DemoProvider): string[] {
  const identity = mailIdentity(provider.flavour);
  return provider.mailbox
    .all()
    .filter((message) => message.direction === 'inbound')
    .map((message) => identity(asEvent(message)));
}

/** A mailbox record as an event carrying what every route carries of it. */
function asEvent(message: MailboxMessage): MailEvent {
  return {
    event: MESSAGE_RECEIVED,
    event_id: message.eventId ?? message.id,
    occurred_at: message.at,
    inbox_id: message.inboxId,
    thread_id: message.threadId,
    message: { id: message.id, from: message.from, to: message.to.join(', '), subject: message.subject, received_at: message.at },
  };
}
