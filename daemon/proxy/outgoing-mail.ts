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
  /** Reply within this thread (OpenMail). */
  threadId?: string;
}

export interface SendCall {
  /** The provider path, percent-encoded. */
  path: string;
  body: Record<string, unknown>;
}

export function sendCall(provider: ProviderName, inboxId: string, mail: OutgoingMail): SendCall {
  const inbox = encodeURIComponent(inboxId);
  if (mail.to.length === 0) throw invalidRequest('a mail needs at least one recipient');
  switch (provider) {
    case 'openmail': {
      const [to, ...more] = mail.to;
      if (more.length > 0) throw invalidRequest('OpenMail sends to one address per send (put the others in cc)');
      const body: Record<string, unknown> = { to, body: mail.text };
      if (mail.subject !== undefined) body.subject = mail.subject;
      if (mail.html !== undefined) body.bodyHtml = mail.html;
      if (mail.threadId !== undefined) body.threadId = mail.threadId;
      if (mail.cc !== undefined && mail.cc.length > 0) body.cc = mail.cc;
      return { path: `/v1/inboxes/${inbox}/send`, body };
    }
    case 'agentmail': {
      // AgentMail replies through its own call on the message replied to, which this shape does not name.
      if (mail.threadId !== undefined) throw invalidRequest('replying in a thread is not supported for AgentMail here');
      const body: Record<string, unknown> = { to: mail.to, text: mail.text };
      if (mail.subject !== undefined) body.subject = mail.subject;
      if (mail.html !== undefined) body.html = mail.html;
      if (mail.cc !== undefined && mail.cc.length > 0) body.cc = mail.cc;
      return { path: `/v0/inboxes/${inbox}/messages/send`, body };
    }
    case 'myagentmail': {
      if (mail.threadId !== undefined) throw invalidRequest('replying in a thread is not supported for myagentmail here');
      if (mail.cc !== undefined && mail.cc.length > 0) throw invalidRequest('myagentmail sends take no cc');
      if (mail.subject === undefined) throw invalidRequest('myagentmail needs a subject');
      const body: Record<string, unknown> = { to: mail.to, subject: mail.subject, plainBody: mail.text };
      if (mail.html !== undefined) body.htmlBody = mail.html;
      return { path: `/v1/inboxes/${inbox}/send`, body };
    }
  }
}
