// myagentmail's WebSocket frames for the demo's mail, as its API reference shows them: `connected` right after
// the handshake, `subscribed`, server `ping`s, `error`, and events as `{"type":"event","event_type",...}` whose
// message carries snake_case fields and no message id. Its blog post shows events as
// `{"type":"message.received","data":{...}}` instead; what `data` holds is not shown, so here it is the same
// message object. myagentmail has no replay. Pure functions, for the demo's WebSocket side.
import type { MailEvent } from '../../../shared/event.ts';
import { messageFromEvent, type MailboxInbox, type MailRecord } from '../mailbox.ts';

export function myAgentMailConnectedFrame(inbox: Pick<MailboxInbox, 'id' | 'address'>): Record<string, unknown> {
  return { type: 'connected', inboxId: inbox.id, email: inbox.address };
}

export function myAgentMailSubscribedFrame(inboxIds: readonly string[], eventTypes: readonly string[]): Record<string, unknown> {
  return { type: 'subscribed', event_types: eventTypes, inbox_ids: inboxIds, workspace_ids: [] };
}

export function myAgentMailPingFrame(): Record<string, unknown> {
  return { type: 'ping' };
}

export function myAgentMailErrorFrame(message: string): Record<string, unknown> {
  return { type: 'error', message };
}

/** The push as the API reference shows it; null for an event without a message, which this form cannot carry. */
export function myAgentMailEventFrame(event: MailEvent): Record<string, unknown> | null {
  const message = messageFromEvent(event);
  if (!message) return null;
  return {
    type: 'event',
    event_type: event.event,
    event_id: event.event_id,
    message: pushedMessage(message),
    thread: { thread_id: message.threadId, subject: message.subject },
  };
}

/** The push as myagentmail's blog post shows it. */
export function myAgentMailDataFrame(event: MailEvent): Record<string, unknown> | null {
  const message = messageFromEvent(event);
  return message ? { type: event.event, data: pushedMessage(message) } : null;
}

function pushedMessage(message: MailRecord): Record<string, unknown> {
  return {
    inbox_id: message.inboxId,
    thread_id: message.threadId,
    from: message.from,
    to: message.to,
    subject: message.subject,
    plain_body: message.text,
    html_body: message.html,
    timestamp: message.at,
  };
}
