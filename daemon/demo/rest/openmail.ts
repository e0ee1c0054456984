// OpenMail's REST API over the demo's mailbox, as OpenMail's API reference documents it: Bearer auth, offset
// paging newest first, camelCase fields (unlike the events), errors as `{ error: <code>, message }`, sends that
// need an Idempotency-Key, attachments behind a 302 to a signed link. Where the reference is silent (the status
// of a reused key with another body, the thread-messages envelope, inbound `status`), the choice is noted.
import type { Draft, MailboxMessage, MailboxThread } from '../mailbox.ts';
import {
  addressList,
  bearer,
  dispatch,
  header,
  intParam,
  jsonObject,
  retryAfter,
  type RestAnswer,
  type RestContext,
  type RestFlavour,
  type RestRequest,
  type Route,
  type ServerError,
} from './flavour.ts';

const ERRORS: Record<ServerError, readonly [number, string]> = {
  missing_key: [401, 'unauthorized'],
  wrong_key: [401, 'unauthorized'],
  not_found: [404, 'not_found'],
  rate_limited: [429, 'rate_limit_exceeded'],
  internal: [500, 'internal_error'],
  too_large: [413, 'payload_too_large'],
};

/** Every inbox lives in the account's default pod. */
const POD_ID = 'pod_demo';
const MAX_LIMIT = 100;

const ROUTES: readonly Route[] = [
  ['GET', '/v1/inboxes', listInboxes],
  ['GET', '/v1/inboxes/:id/messages', listMessages],
  ['GET', '/v1/inboxes/:id/threads', listThreads],
  ['POST', '/v1/inboxes/:id/send', send],
  ['GET', '/v1/threads/:id/messages', threadMessages],
  ['PATCH', '/v1/threads/:id', updateThread],
  ['GET', '/v1/attachments/:messageId/:filename', attachment],
];

export const OPENMAIL_REST: RestFlavour = {
  key: bearer,
  error: (kind, message) => fail(ERRORS[kind][0], ERRORS[kind][1], message),
  route: (request, context) => dispatch(ROUTES, request, context),
  sendLimits: { perMinute: 10, perDay: 200 },
};

/** A message as OpenMail's REST API lists it. */
export function openMailMessage(message: MailboxMessage, context: RestContext): Record<string, unknown> {
  const address = context.mailbox.inbox(message.inboxId)?.address ?? '';
  const inbound = message.direction === 'inbound';
  return {
    id: message.id,
    threadId: message.threadId,
    direction: message.direction,
    fromAddr: message.from,
    toAddr: inbound ? address : (message.to[0] ?? ''),
    headerTo: message.to.join(', '),
    deliveryRole: inbound && !message.to.includes(address) && message.cc.includes(address) ? 'cc' : 'to',
    cc: message.cc,
    subject: message.subject,
    bodyText: message.text,
    bodyHtml: message.html,
    attachments: message.attachments.map((file) => ({
      filename: file.filename,
      contentType: file.contentType,
      sizeBytes: file.sizeBytes,
      // The authenticated route, as in OpenMail's message responses; it redirects to a fresh signed link.
      url: context.url(`/v1/attachments/${encodeURIComponent(message.id)}/${encodeURIComponent(file.filename)}`),
    })),
    // The reference lists pending/sent/failed for sends; inbound mail is shown as received (our choice).
    status: inbound ? 'received' : 'sent',
    createdAt: message.at,
  };
}

function listInboxes(_params: Record<string, string>, request: RestRequest, context: RestContext): RestAnswer {
  const page = paging(request);
  if (!page) return invalid(`limit must be 1-${MAX_LIMIT} and offset a whole number`);
  const inboxes = context.mailbox.inboxes();
  const data = inboxes.slice(page.offset, page.offset + page.limit).map((inbox) => ({
    id: inbox.id,
    address: inbox.address,
    podId: POD_ID,
    displayName: null,
    createdAt: inbox.createdAt,
  }));
  return { status: 200, page: true, json: { data, total: inboxes.length } };
}

function listMessages(params: Record<string, string>, request: RestRequest, context: RestContext): RestAnswer {
  if (!context.mailbox.inbox(params.id!)) return fail(404, 'not_found', 'Inbox not found');
  const page = paging(request);
  const direction = request.query.get('direction');
  if (!page) return invalid(`limit must be 1-${MAX_LIMIT} and offset a whole number`);
  if (direction !== null && direction !== 'inbound' && direction !== 'outbound') {
    return invalid('direction must be inbound or outbound');
  }
  const messages = context.mailbox.messages(params.id!, direction);
  const data = messages.slice(page.offset, page.offset + page.limit).map((message) => openMailMessage(message, context));
  return { status: 200, page: true, json: { data, total: messages.length } };
}

function listThreads(params: Record<string, string>, request: RestRequest, context: RestContext): RestAnswer {
  if (!context.mailbox.inbox(params.id!)) return fail(404, 'not_found', 'Inbox not found');
  const page = paging(request);
  const isRead = request.query.get('is_read');
  if (!page) return invalid(`limit must be 1-${MAX_LIMIT} and offset a whole number`);
  if (isRead !== null && isRead !== 'true' && isRead !== 'false') return invalid('is_read must be true or false');
  const threads = context.mailbox.threads(params.id!).filter((thread) => isRead === null || String(thread.isRead) === isRead);
  const data = threads.slice(page.offset, page.offset + page.limit).map((thread) => openMailThread(thread, context));
  return { status: 200, page: true, json: { data, total: threads.length } };
}

function threadMessages(params: Record<string, string>, _request: RestRequest, context: RestContext): RestAnswer {
  if (!context.mailbox.thread(params.id!)) return fail(404, 'not_found', 'Thread not found');
  // Oldest first, as documented; the reference shows no envelope here, so it is the one the lists use.
  const data = context.mailbox.threadMessages(params.id!).map((message) => openMailMessage(message, context));
  return { status: 200, page: true, json: { data, total: data.length } };
}

function updateThread(params: Record<string, string>, request: RestRequest, context: RestContext): RestAnswer {
  const body = jsonObject(request.body);
  if (!body || typeof body.is_read !== 'boolean') return invalid('is_read must be a boolean');
  if (!context.mailbox.setRead(params.id!, body.is_read)) return fail(404, 'not_found', 'Thread not found');
  return { status: 200, json: { ok: true } };
}

function attachment(params: Record<string, string>, _request: RestRequest, context: RestContext): RestAnswer {
  const message = context.mailbox.message(params.messageId!);
  const file = message?.attachments.find((candidate) => candidate.filename === params.filename);
  if (!message || !file) return fail(404, 'not_found', 'Attachment not found');
  return { status: 302, headers: { Location: context.attachmentLink(message, file) } };
}

function send(params: Record<string, string>, request: RestRequest, context: RestContext): RestAnswer {
  const key = header(request, 'idempotency-key');
  if (!key) return fail(400, 'missing_idempotency_key', 'Send endpoint requires Idempotency-Key header');
  const seen = context.idempotency.check(key, request.body);
  if (seen.kind === 'replay') return seen.answer;
  // OpenMail says only that another body with the same key "returns an error"; 409 is our choice.
  if (seen.kind === 'conflict') return fail(409, 'idempotency_key_reused', 'Idempotency-Key was already used with a different request body');
  const inbox = context.mailbox.inbox(params.id!);
  if (!inbox) return fail(404, 'not_found', 'Inbox not found');
  const draft = sendDraft(request, context);
  if (typeof draft === 'string') return draft === 'no_thread' ? fail(404, 'not_found', 'Thread not found') : invalid(draft);
  const wait = context.takeSend(inbox.id);
  if (wait > 0) return retryAfter(fail(429, 'rate_limit_exceeded', 'Send limit reached for this inbox'), wait);
  const sent = context.mailbox.send(inbox.id, draft);
  if (typeof sent === 'string') return fail(404, 'not_found', 'Thread not found');
  const answer: RestAnswer = {
    status: 200,
    json: { messageId: sent.id, threadId: sent.threadId, providerMessageId: sent.rfcMessageId, status: 'sent' },
  };
  context.idempotency.remember(key, request.body, answer);
  return answer;
}

/** The draft a send body describes, or what is wrong with it ('no_thread' for an unknown thread). */
function sendDraft(request: RestRequest, context: RestContext): Draft | string {
  const body = jsonObject(request.body);
  if (!body) return 'body must be a JSON object';
  const { to, subject, body: text, bodyHtml, threadId, includeQuote, cc } = body;
  if (typeof to !== 'string' || !to.includes('@')) return 'to must be an email address';
  if (typeof text !== 'string' || text.length < 1 || text.length > 100_000) return 'body must be 1-100000 characters';
  if (threadId !== undefined && typeof threadId !== 'string') return 'threadId must be a string';
  if (threadId === undefined && (typeof subject !== 'string' || subject.length < 1 || subject.length > 998)) {
    return 'subject must be 1-998 characters for a new thread';
  }
  if (bodyHtml !== undefined && typeof bodyHtml !== 'string') return 'bodyHtml must be a string';
  if (includeQuote !== undefined && typeof includeQuote !== 'boolean') return 'includeQuote must be a boolean';
  const copies = cc === undefined ? [] : addressList(cc);
  if (!copies) return 'cc must be an address or a list of addresses';
  if (threadId !== undefined && !context.mailbox.thread(threadId)) return 'no_thread';
  const previous = threadId === undefined ? undefined : context.mailbox.threadMessages(threadId).at(-1);
  return {
    to: [to],
    cc: copies,
    // With a thread the subject is the thread's, with "Re: ", whatever the body says.
    subject: threadId === undefined ? (subject as string) : null,
    text: previous && includeQuote !== false ? quoted(text, previous) : text,
    html: bodyHtml ?? null,
    threadId: threadId ?? null,
  };
}

function quoted(text: string, previous: MailboxMessage): string {
  const lines = previous.text.split('\n').map((line) => `> ${line}`);
  return `${text}\n\nOn ${previous.at}, ${previous.from} wrote:\n${lines.join('\n')}`;
}

function openMailThread(thread: MailboxThread, context: RestContext): Record<string, unknown> {
  const messages = context.mailbox.threadMessages(thread.id);
  return {
    id: thread.id,
    inboxId: thread.inboxId,
    subject: thread.subject,
    lastMessageAt: messages.at(-1)?.at ?? null,
    isRead: thread.isRead,
    messageCount: messages.length,
  };
}

function paging(request: RestRequest): { limit: number; offset: number } | null {
  const limit = intParam(request.query, 'limit', 50, 1, MAX_LIMIT);
  const offset = intParam(request.query, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
  return limit === null || offset === null ? null : { limit, offset };
}

function invalid(message: string): RestAnswer {
  return fail(400, 'validation_error', message);
}

function fail(status: number, code: string, message: string): RestAnswer {
  return { status, json: { error: code, message } };
}
