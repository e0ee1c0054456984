// myagentmail's REST API over the demo's mailbox, as its API reference documents it: paths under /v1, the key in
// `X-API-Key` (or Bearer), offset paging with a `pagination` block, camelCase fields with bodies in the list,
// attachments streamed by id, and errors as `{ error, code }`. Inferred: newest first, the default page size, and
// that sends ignore an Idempotency-Key (none is documented).
import { attachmentBytes } from '../attachment-files.ts';
import type { MailboxMessage } from '../mailbox.ts';
import {
  addressList,
  bearer,
  dispatch,
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
  rate_limited: [429, 'rate_limited'],
  internal: [500, 'internal_error'],
  too_large: [413, 'payload_too_large'],
};

const MAX_LIMIT = 100;

const ROUTES: readonly Route[] = [
  ['GET', '/v1/inboxes', listInboxes],
  ['GET', '/v1/inboxes/:id/messages', listMessages],
  ['POST', '/v1/inboxes/:id/send', send],
  ['GET', '/v1/inboxes/:id/messages/:message/attachments/:attachment', attachment],
];

export const MYAGENTMAIL_REST: RestFlavour = {
  key: (headers) => {
    const apiKey = headers['x-api-key'];
    return (Array.isArray(apiKey) ? apiKey[0] : apiKey) || bearer(headers);
  },
  error: (kind, message) => fail(ERRORS[kind][0], ERRORS[kind][1], message),
  route: (request, context) => dispatch(ROUTES, request, context),
  sendLimits: { perMinute: null, perDay: null },
};

function listInboxes(_params: Record<string, string>, _request: RestRequest, context: RestContext): RestAnswer {
  const inboxes = context.mailbox.inboxes().map((inbox) => {
    const [username = '', domain = ''] = inbox.address.split('@');
    return {
      id: inbox.id,
      email: inbox.address,
      canonicalEmail: inbox.address,
      username,
      domain,
      displayName: null,
      workspaceId: 'wsp_demo',
      createdAt: inbox.createdAt,
    };
  });
  return { status: 200, page: true, json: { inboxes } };
}

function listMessages(params: Record<string, string>, request: RestRequest, context: RestContext): RestAnswer {
  if (!context.mailbox.inbox(params.id!)) return fail(404, 'not_found', 'Inbox not found');
  const limit = intParam(request.query, 'limit', 50, 1, MAX_LIMIT);
  const offset = intParam(request.query, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
  const direction = request.query.get('direction');
  if (limit === null || offset === null) return fail(400, 'invalid_request', `limit must be 1-${MAX_LIMIT} and offset a whole number`);
  if (direction !== null && direction !== 'inbound' && direction !== 'outbound') {
    return fail(400, 'invalid_request', 'direction must be inbound or outbound');
  }
  const messages = context.mailbox.messages(params.id!, direction);
  const page = messages.slice(offset, offset + limit).map((message) => restMessage(message, context));
  return { status: 200, page: true, json: { messages: page, pagination: { total: messages.length, limit, offset } } };
}

/** The file itself, "with the original Content-Type and Content-Disposition", as the reference says. */
function attachment(params: Record<string, string>, _request: RestRequest, context: RestContext): RestAnswer {
  const message = context.mailbox.message(params.message!);
  const file = message?.attachments.find((each) => each.id === params.attachment);
  if (!message || !file || message.inboxId !== params.id) return fail(404, 'not_found', 'Attachment not found');
  return { status: 200, file: { bytes: attachmentBytes(file), contentType: file.contentType, filename: file.filename } };
}

function send(params: Record<string, string>, request: RestRequest, context: RestContext): RestAnswer {
  const inbox = context.mailbox.inbox(params.id!);
  if (!inbox) return fail(404, 'not_found', 'Inbox not found');
  const body = jsonObject(request.body);
  const to = addressList(body?.to);
  if (!body || !to || to.length === 0) return fail(400, 'invalid_request', 'to is required');
  const { subject, plainBody, htmlBody } = body;
  if (typeof subject !== 'string') return fail(400, 'invalid_request', 'subject is required');
  if ((plainBody !== undefined && typeof plainBody !== 'string') || (htmlBody !== undefined && typeof htmlBody !== 'string')) {
    return fail(400, 'invalid_request', 'plainBody and htmlBody must be strings');
  }
  const wait = context.takeSend(inbox.id);
  if (wait > 0) return retryAfter(fail(429, 'rate_limited', 'Send limit reached'), wait);
  const sent = context.mailbox.send(inbox.id, { to, cc: [], subject, text: plainBody ?? '', html: htmlBody ?? null, threadId: null });
  if (typeof sent === 'string') return fail(500, 'internal_error', 'Send failed');
  return { status: 200, json: { id: sent.id, threadId: sent.threadId, status: 'sent', messageId: sent.rfcMessageId } };
}

function restMessage(message: MailboxMessage, context: RestContext): Record<string, unknown> {
  return {
    id: message.id,
    direction: message.direction,
    from: message.from,
    to: message.to.join(', '),
    subject: message.subject,
    plainBody: message.text,
    htmlBody: message.html,
    isRead: context.mailbox.thread(message.threadId)?.isRead ?? false,
    threadId: message.threadId,
    messageIdHeader: message.rfcMessageId,
    inReplyTo: message.inReplyTo,
    receivedAt: message.at,
    attachments: message.attachments.map((file) => ({
      id: file.id,
      filename: file.filename,
      contentType: file.contentType,
      sizeBytes: file.sizeBytes,
    })),
  };
}

function fail(status: number, code: string, message: string): RestAnswer {
  return { status, json: { error: message, code } };
}
