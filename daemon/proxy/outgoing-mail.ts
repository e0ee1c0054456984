// A mail to send, in one shape for every provider, and the call that sends it with each: the path and the JSON body
// its REST API takes (docs/providers.md). The send tools build an OutgoingMail; the proxy's send() makes the call.
import { invalidRequest } from '../../shared/errors.ts';
import type { ProviderName } from '../../shared/status.ts';

export interface OutgoingMail {
  /** OpenMail takes one address per send; AgentMail and myagentmail take several. */
  to: string[];
  cc?: string[];
  /** Required for a new thread; a reply in a thread takes the thread's. */
  subject?: string;
  text: string;
  html?: string;
  /** Reply within this thread (OpenMail replies by thread). */
  threadId?: string;
  /** Reply to this message, by the provider's id (AgentMail and myagentmail reply through a call on the message). */
  replyToMessageId?: string;
  /** On a reply: whether the provider quotes the mail replied to below it (OpenMail's includeQuote); absent, its default. */
  quote?: boolean;
}

export interface SendCall {
  /** The provider path, percent-encoded. */
  path: string;
  body: Record<string, unknown>;
}

export function sendCall(provider: ProviderName, inboxId: string, mail: OutgoingMail): SendCall {
  const inbox = encodeURIComponent(inboxId);
  if (mail.to.length === 0) throw invalidRequest('a mail needs at least one recipient');
  const reply = mail.threadId !== undefined || mail.replyToMessageId !== undefined;
  if (mail.quote !== undefined && !reply) throw invalidRequest('quote applies to replies only');
  switch (provider) {
    case 'openmail': {
      if (mail.replyToMessageId !== undefined && mail.threadId === undefined) {
        throw invalidRequest('OpenMail replies within a thread, and the mail replied to names none');
      }
      const [to, ...more] = mail.to;
      if (more.length > 0) throw invalidRequest('OpenMail sends to one address per send (put the others in cc)');
      const body: Record<string, unknown> = { to, body: mail.text };
      if (mail.subject !== undefined) body.subject = mail.subject;
      if (mail.html !== undefined) body.bodyHtml = mail.html;
      if (mail.threadId !== undefined) body.threadId = mail.threadId;
      if (mail.quote !== undefined) body.includeQuote = mail.quote;
      if (mail.cc !== undefined && mail.cc.length > 0) body.cc = mail.cc;
      return { path: `/v1/inboxes/${inbox}/send`, body };
    }
    case 'agentmail': {
      if (reply) {
        // AgentMail's reply call (POST .../messages/{id}/reply) threads it and takes the thread's subject.
        const message = replyTarget(provider, mail);
        const body: Record<string, unknown> = { to: mail.to, text: mail.text };
        if (mail.html !== undefined) body.html = mail.html;
        if (mail.cc !== undefined && mail.cc.length > 0) body.cc = mail.cc;
        return { path: `/v0/inboxes/${inbox}/messages/${encodeURIComponent(message)}/reply`, body };
      }
      const body: Record<string, unknown> = { to: mail.to, text: mail.text };
      if (mail.subject !== undefined) body.subject = mail.subject;
      if (mail.html !== undefined) body.html = mail.html;
      if (mail.cc !== undefined && mail.cc.length > 0) body.cc = mail.cc;
      return { path: `/v0/inboxes/${inbox}/messages/send`, body };
    }
    case 'myagentmail': {
      if (mail.cc !== undefined && mail.cc.length > 0) throw invalidRequest('myagentmail sends take no cc');
      if (reply) {
        // myagentmail's reply call (POST /v1/inboxes/{id}/reply/{messageId}) takes only the body: it answers the mail's
        // sender in its thread, which is whom a reply is addressed to.
        const message = replyTarget(provider, mail);
        const body: Record<string, unknown> = { plainBody: mail.text };
        if (mail.html !== undefined) body.htmlBody = mail.html;
        return { path: `/v1/inboxes/${inbox}/reply/${encodeURIComponent(message)}`, body };
      }
      if (mail.subject === undefined) throw invalidRequest('myagentmail needs a subject');
      const body: Record<string, unknown> = { to: mail.to, subject: mail.subject, plainBody: mail.text };
      if (mail.html !== undefined) body.htmlBody = mail.html;
      return { path: `/v1/inboxes/${inbox}/send`, body };
    }
  }
}

/** The message a reply goes through, for providers that reply by message: they take neither subject nor quote. */
function replyTarget(provider: ProviderName, mail: OutgoingMail): string {
  if (mail.replyToMessageId === undefined) throw invalidRequest(`${provider} replies to a message, and the mail replied to names none`);
  if (mail.subject !== undefined) throw invalidRequest(`${provider}'s reply takes the thread's subject: leave subject out`);
  if (mail.quote !== undefined) throw invalidRequest(`${provider}'s reply has no quoting option: leave quote out`);
  return mail.replyToMessageId;
}

/** What a provider's answer to a send names: the new message and its thread (null where it does not say). */
export interface SentIds {
  messageId: string | null;
  threadId: string | null;
}

/** Reads the ids from a send's (or a reply's) answer: OpenMail's `messageId`, AgentMail's `message_id`, myagentmail's `id`. */
export function sentIds(provider: ProviderName, body: unknown): SentIds {
  const answer = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
  switch (provider) {
    case 'openmail':
      return { messageId: text(answer.messageId), threadId: text(answer.threadId) };
    case 'agentmail':
      return { messageId: text(answer.message_id), threadId: text(answer.thread_id) };
    case 'myagentmail':
      return { messageId: text(answer.id), threadId: text(answer.threadId) };
  }
}
