// The demo provider's one mailbox: every message it receives (each emitted event's message, whether pushed or
// not) and every message sent through its REST API, by inbox and thread, with the same ids the events carry.
// Each provider flavour renders these records in its own wire format; nothing here knows HTTP or sockets.
import { createHash, randomBytes } from 'node:crypto';
import type { MailEvent } from '../../shared/event.ts';

export type Direction = 'inbound' | 'outbound';

export interface MailboxAttachment {
  /** Stable per message and position, so a push and a REST listing name the same file alike. */
  id: string;
  filename: string;
  contentType: string;
  sizeBytes: number;
  parsedText?: string;
  extractionMethod?: string;
}

export interface MailboxMessage {
  id: string;
  inboxId: string;
  threadId: string;
  direction: Direction;
  /** The event that carried an inbound message; null for a sent one. */
  eventId: string | null;
  from: string;
  to: string[];
  cc: string[];
  subject: string;
  text: string;
  html: string;
  rfcMessageId: string;
  inReplyTo: string | null;
  attachments: MailboxAttachment[];
  /** When it was received or sent (ISO 8601). */
  at: string;
  /** Arrival order across the mailbox: listings sort on it, so equal timestamps keep a stable order. */
  seq: number;
}

/** A message record without its place in the mailbox: all that an event alone can say. */
export type MailRecord = Omit<MailboxMessage, 'seq'>;

export interface MailboxThread {
  id: string;
  inboxId: string;
  subject: string;
  isRead: boolean;
  /** Oldest first. */
  messageIds: string[];
}

export interface MailboxInbox {
  id: string;
  address: string;
  createdAt: string;
}

export interface Draft {
  to: string[];
  cc: string[];
  /** Null on a reply: the thread's subject is used, with "Re: ". */
  subject: string | null;
  text: string;
  html: string | null;
  threadId: string | null;
}

export interface MailboxOptions {
  inboxes: readonly { id: string; address: string }[];
  /** Messages kept; the oldest go first (with their threads once empty). */
  limit?: number;
  now?: () => number;
}

export class DemoMailbox {
  readonly #inboxes: Map<string, MailboxInbox>;
  readonly #limit: number;
  readonly #now: () => number;
  readonly #messages = new Map<string, MailboxMessage>();
  readonly #threads = new Map<string, MailboxThread>();
  /** Arrival order; the front is evicted first. */
  #order: MailboxMessage[] = [];
  #seq = 0;

  constructor(options: MailboxOptions) {
    this.#now = options.now ?? Date.now;
    this.#limit = options.limit ?? 10_000;
    const createdAt = new Date(this.#now()).toISOString();
    this.#inboxes = new Map(options.inboxes.map(({ id, address }) => [id, { id, address, createdAt }]));
  }

  inboxes(): MailboxInbox[] {
    return [...this.#inboxes.values()];
  }

  inbox(id: string): MailboxInbox | undefined {
    return this.#inboxes.get(id);
  }

  /** Every message held, in arrival order. */
  all(): readonly MailboxMessage[] {
    return this.#order;
  }

  /** Records the message an event carries; null when it carries none or names an inbox the account lacks.
   * A message already held is kept as first recorded. */
  receive(event: MailEvent): MailboxMessage | null {
    const draft = messageFromEvent(event);
    if (!draft || !this.#inboxes.has(draft.inboxId)) return null;
    const held = this.#messages.get(draft.id);
    if (held) return held;
    const message = this.#add(draft);
    const thread = this.#threadFor(message.threadId, message.inboxId, message.subject);
    thread.messageIds.push(message.id);
    thread.isRead = false;
    this.#evict();
    return message;
  }

  /** Records a message sent from an inbox; a reply joins its thread and marks it read, as OpenMail does. */
  send(inboxId: string, draft: Draft): MailboxMessage | 'no_inbox' | 'no_thread' {
    const inbox = this.#inboxes.get(inboxId);
    if (!inbox) return 'no_inbox';
    const thread = draft.threadId === null ? null : this.#threads.get(draft.threadId);
    if (thread === undefined || (thread && thread.inboxId !== inboxId)) return 'no_thread';
    const id = `msg_${randomBytes(6).toString('hex')}`;
    const last = thread ? this.#messages.get(thread.messageIds.at(-1) ?? '') : undefined;
    const subject = draft.subject ?? (thread ? reply(thread.subject) : '');
    const message = this.#add({
      id,
      inboxId,
      threadId: thread?.id ?? `thr_${randomBytes(6).toString('hex')}`,
      direction: 'outbound',
      eventId: null,
      from: inbox.address,
      to: draft.to,
      cc: draft.cc,
      subject,
      text: draft.text,
      html: draft.html ?? htmlFromText(draft.text),
      rfcMessageId: `<${id}@${inbox.address.split('@')[1] ?? 'demo.invalid'}>`,
      inReplyTo: last?.rfcMessageId ?? null,
      attachments: [],
      at: new Date(this.#now()).toISOString(),
    });
    const target = this.#threadFor(message.threadId, inboxId, subject);
    target.messageIds.push(message.id);
    target.isRead = true;
    this.#evict();
    return message;
  }

  message(id: string): MailboxMessage | undefined {
    return this.#messages.get(id);
  }

  /** An inbox's messages, newest first. */
  messages(inboxId: string, direction: Direction | null = null): MailboxMessage[] {
    const out: MailboxMessage[] = [];
    for (let i = this.#order.length - 1; i >= 0; i--) {
      const message = this.#order[i]!;
      if (message.inboxId === inboxId && (direction === null || message.direction === direction)) out.push(message);
    }
    return out;
  }

  thread(id: string): MailboxThread | undefined {
    return this.#threads.get(id);
  }

  /** A thread's messages, oldest first. */
  threadMessages(id: string): MailboxMessage[] {
    return (this.#threads.get(id)?.messageIds ?? []).map((messageId) => this.#messages.get(messageId)!);
  }

  /** An inbox's threads, the most recently active first. */
  threads(inboxId: string): MailboxThread[] {
    const latest = (thread: MailboxThread) => this.#messages.get(thread.messageIds.at(-1)!)!.seq;
    return [...this.#threads.values()].filter((thread) => thread.inboxId === inboxId).sort((a, b) => latest(b) - latest(a));
  }

  setRead(threadId: string, isRead: boolean): MailboxThread | undefined {
    const thread = this.#threads.get(threadId);
    if (thread) thread.isRead = isRead;
    return thread;
  }

  #add(draft: MailRecord): MailboxMessage {
    const message = { ...draft, seq: ++this.#seq };
    this.#messages.set(message.id, message);
    this.#order.push(message);
    return message;
  }

  #threadFor(id: string, inboxId: string, subject: string): MailboxThread {
    let thread = this.#threads.get(id);
    if (!thread) {
      thread = { id, inboxId, subject, isRead: false, messageIds: [] };
      this.#threads.set(id, thread);
    }
    return thread;
  }

  #evict(): void {
    const excess = this.#order.length - this.#limit;
    if (excess <= 0) return;
    for (const message of this.#order.splice(0, excess)) {
      this.#messages.delete(message.id);
      const thread = this.#threads.get(message.threadId);
      if (!thread) continue;
      thread.messageIds = thread.messageIds.filter((id) => id !== message.id);
      if (thread.messageIds.length === 0) this.#threads.delete(thread.id);
    }
  }
}

/** The mailbox record of an event's message, before it is given its place; null when the event carries none. */
export function messageFromEvent(event: MailEvent): MailRecord | null {
  const message = event.message;
  if (!message || event.inbox_id === null) return null;
  const text = message.body_text ?? '';
  return {
    id: message.id,
    inboxId: event.inbox_id,
    threadId: event.thread_id ?? `thr_${digest(message.id)}`,
    direction: 'inbound',
    eventId: event.event_id,
    from: message.from,
    to: splitAddresses(message.to),
    cc: message.cc ?? [],
    subject: message.subject,
    text,
    html: htmlFromText(text),
    rfcMessageId: message.rfc_message_id ?? `<${message.id}@demo.invalid>`,
    inReplyTo: null,
    attachments: (message.attachments ?? []).map((attachment, index) => ({
      id: attachmentId(message.id, index),
      filename: attachment.filename,
      contentType: attachment.contentType,
      sizeBytes: attachment.sizeBytes,
      ...(attachment.parsedText !== undefined && { parsedText: attachment.parsedText }),
      ...(attachment.extractionMethod !== undefined && { extractionMethod: attachment.extractionMethod }),
    })),
    at: message.received_at ?? event.occurred_at,
  };
}

export function attachmentId(messageId: string, index: number): string {
  return `att_${digest(`${messageId}/${index}`)}`;
}

/** The HTML part a provider would hold beside the text: paragraphs and line breaks, everything escaped. */
export function htmlFromText(text: string): string {
  const escaped = text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return escaped
    .split(/\n{2,}/)
    .map((paragraph) => `<p>${paragraph.replace(/\n/g, '<br>')}</p>`)
    .join('');
}

/** OpenMail writes recipients as one comma-separated string; the other providers list them. */
export function splitAddresses(value: string): string[] {
  return value
    .split(',')
    .map((address) => address.trim())
    .filter((address) => address.length > 0);
}

function reply(subject: string): string {
  return subject.startsWith('Re: ') ? subject : `Re: ${subject}`;
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}
