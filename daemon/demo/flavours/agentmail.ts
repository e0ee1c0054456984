// AgentMail's wire format for the demo's mail, as its API reference and SDK types spell it (snake_case): the
// message and thread objects its REST API returns and its WebSocket pushes, and the frames themselves
// (`{"type":"event","event_type",...,"message","thread"}`, `subscribed`, `error`). AgentMail has no replay.
// Pure functions: the demo's REST API and its WebSocket side both render through them.
import type { MailEvent } from '../../../shared/event.ts';
import { messageFromEvent, type MailRecord } from '../mailbox.ts';

/** The thread a message belongs to, as far as the caller knows it; alone, a message is its own thread. */
export interface ThreadView {
  id: string;
  subject: string;
  isRead: boolean;
  /** Oldest first; includes the message itself. */
  messages: readonly MailRecord[];
}

/** Where AgentMail puts the body of its non-message events; carried through from the demo's event. */
const BODY_KEYS = ['send', 'delivery', 'bounce', 'complaint', 'reject', 'domain'] as const;
const PREVIEW_LENGTH = 120;

/** The labels AgentMail gives a message: inbound mail is `received`, and unread until its thread is read. */
export function agentMailLabels(message: MailRecord, isRead: boolean): string[] {
  return message.direction === 'inbound' ? ['received', isRead ? 'read' : 'unread'] : ['sent'];
}

/** A message as AgentMail lists it (no bodies), or whole, as `GET .../messages/{id}` and the push carry it. */
export function agentMailMessage(message: MailRecord, isRead: boolean, whole: boolean): Record<string, unknown> {
  const item = {
    inbox_id: message.inboxId,
    thread_id: message.threadId,
    message_id: message.id,
    labels: agentMailLabels(message, isRead),
    timestamp: message.at,
    from: message.from,
    to: message.to,
    cc: message.cc,
    subject: message.subject,
    preview: preview(message.text),
    attachments: message.attachments.map((file) => ({
      attachment_id: file.id,
      filename: file.filename,
      size: file.sizeBytes,
      content_type: file.contentType,
      content_disposition: 'attachment',
    })),
    ...(message.inReplyTo !== null && { in_reply_to: message.inReplyTo }),
    size: size(message),
    updated_at: message.at,
    created_at: message.at,
  };
  return whole ? { ...item, text: message.text, html: message.html, extracted_text: message.text } : item;
}

export function agentMailThread(message: MailRecord, thread: ThreadView | null): Record<string, unknown> {
  const messages = thread?.messages ?? [message];
  const last = messages.at(-1) ?? message;
  return {
    inbox_id: message.inboxId,
    thread_id: message.threadId,
    labels: [...new Set(messages.flatMap((each) => agentMailLabels(each, thread?.isRead ?? false)))],
    timestamp: last.at,
    senders: [...new Set(messages.map((each) => each.from))],
    recipients: [...new Set(messages.flatMap((each) => each.to))],
    subject: thread?.subject ?? message.subject,
    preview: preview(last.text),
    last_message_id: last.id,
    message_count: messages.length,
    size: messages.reduce((total, each) => total + size(each), 0),
    updated_at: last.at,
    created_at: messages[0]?.at ?? message.at,
  };
}

/** The push for one of the demo's events; `thread` adds what the mailbox knows of the conversation. */
export function agentMailEventFrame(event: MailEvent, thread: ThreadView | null = null): Record<string, unknown> {
  const message = messageFromEvent(event);
  const bodies = Object.fromEntries(BODY_KEYS.filter((key) => event[key] !== undefined).map((key) => [key, event[key]]));
  return {
    type: 'event',
    event_type: event.event,
    event_id: event.event_id,
    ...(message && {
      message: agentMailMessage(message, thread?.isRead ?? false, true),
      thread: agentMailThread(message, thread),
    }),
    ...bodies,
  };
}

export function agentMailSubscribedFrame(inboxIds: readonly string[], eventTypes: readonly string[]): Record<string, unknown> {
  return { type: 'subscribed', inbox_ids: inboxIds, event_types: eventTypes };
}

export function agentMailErrorFrame(name: string, message: string): Record<string, unknown> {
  return { type: 'error', name, message };
}

function preview(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, PREVIEW_LENGTH);
}

function size(message: MailRecord): number {
  return Buffer.byteLength(message.text, 'utf8') + message.attachments.reduce((total, file) => total + file.sizeBytes, 0);
}
