// AgentMail's REST API over the demo's mailbox, as its API reference and SDK document it: paths under /v0,
// Bearer auth, `page_token` paging, list items without bodies (the whole message has its own call), and errors
// as `{ name, code, message, docs }`. Inferred where the reference is silent: the default page size, that
// `after` includes its instant and `before` excludes it, and the error names for 401, 429 and 500.
import type { MailboxMessage } from '../mailbox.ts';
import { agentMailLabels, agentMailMessage } from '../flavours/agentmail.ts';
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

const ERRORS: Record<ServerError, readonly [number, string, string]> = {
  missing_key: [401, 'UnauthorizedError', 'missing_authorization'],
  wrong_key: [401, 'UnauthorizedError', 'unknown_api_key'],
  not_found: [404, 'NotFoundError', 'not_found'],
  rate_limited: [429, 'TooManyRequestsError', 'rate_limited'],
  internal: [500, 'InternalServerError', 'internal_error'],
  too_large: [413, 'PayloadTooLargeError', 'payload_too_large'],
};

const MAX_LIMIT = 100;
const DEFAULT_LIMIT = 50;

const ROUTES: readonly Route[] = [
  ['GET', '/v0/inboxes', listInboxes],
  ['GET', '/v0/inboxes/:inbox/messages', listMessages],
  ['POST', '/v0/inboxes/:inbox/messages/send', send],
  ['GET', '/v0/inboxes/:inbox/messages/:message', getMessage],
  ['GET', '/v0/inboxes/:inbox/messages/:message/attachments/:attachment', getAttachment],
];

export const AGENTMAIL_REST: RestFlavour = {
  key: bearer,
  error: (kind, message) => fail(...ERRORS[kind], message),
  route: (request, context) => dispatch(ROUTES, request, context),
  // AgentMail limits sends by plan per month, not per minute.
  sendLimits: { perMinute: null, perDay: null },
};

function listInboxes(_params: Record<string, string>, request: RestRequest, context: RestContext): RestAnswer {
  const limit = intParam(request.query, 'limit', DEFAULT_LIMIT, 1, MAX_LIMIT);
  const token = request.query.get('page_token');
  const offset = token === null ? 0 : readToken(token);
  if (limit === null || offset === null) return invalid('limit must be 1-100 and page_token one this API gave');
  // Oldest first, by creation.
  const inboxes = context.mailbox.inboxes();
  const page = inboxes.slice(offset, offset + limit).map((inbox) => ({
    pod_id: 'pod_demo',
    inbox_id: inbox.id,
    email: inbox.address,
    display_name: null,
    updated_at: inbox.createdAt,
    created_at: inbox.createdAt,
  }));
  const next = offset + limit < inboxes.length ? writeToken(offset + limit) : null;
  return { status: 200, page: true, json: { count: page.length, limit, ...(next && { next_page_token: next }), inboxes: page } };
}

function listMessages(params: Record<string, string>, request: RestRequest, context: RestContext): RestAnswer {
  if (!context.mailbox.inbox(params.inbox!)) return fail(404, 'NotFoundError', 'not_found', 'Inbox not found');
  const query = request.query;
  const limit = intParam(query, 'limit', DEFAULT_LIMIT, 1, MAX_LIMIT);
  const ascending = query.get('ascending');
  const before = time(query.get('before'));
  const after = time(query.get('after'));
  const token = query.get('page_token');
  const from = token === null ? null : readToken(token);
  if (limit === null) return invalid(`limit must be 1-${MAX_LIMIT}`);
  if (ascending !== null && ascending !== 'true' && ascending !== 'false') return invalid('ascending must be true or false');
  if (Number.isNaN(before) || Number.isNaN(after)) return invalid('before and after must be timestamps');
  if (token !== null && from === null) return invalid('page_token is not one this API gave');
  const labels = labelFilter(query.getAll('labels'));
  if (!labels) return invalid('labels must be label names');
  const up = ascending === 'true';
  const newestFirst = context.mailbox.messages(params.inbox!);
  const matching = (up ? newestFirst.reverse() : newestFirst).filter((message) => {
    const at = Date.parse(message.at);
    const tags = agentMailLabels(message, isRead(message, context));
    return (
      (before === null || at < before) &&
      (after === null || at >= after) &&
      labels.every((label) => tags.includes(label)) &&
      (from === null || (up ? message.seq > from : message.seq < from))
    );
  });
  const page = matching.slice(0, limit);
  // The token is the last position shown, so mail arriving meanwhile never shifts the next page.
  const next = matching.length > limit ? writeToken(page.at(-1)!.seq) : null;
  const messages = page.map((message) => agentMailMessage(message, isRead(message, context), false));
  return { status: 200, page: true, json: { count: page.length, limit, ...(next && { next_page_token: next }), messages } };
}

function getMessage(params: Record<string, string>, _request: RestRequest, context: RestContext): RestAnswer {
  const message = context.mailbox.message(params.message!);
  if (!message || message.inboxId !== params.inbox) return fail(404, 'NotFoundError', 'not_found', 'Message not found');
  return { status: 200, json: agentMailMessage(message, isRead(message, context), true) };
}

function getAttachment(params: Record<string, string>, _request: RestRequest, context: RestContext): RestAnswer {
  const message = context.mailbox.message(params.message!);
  const file = message?.attachments.find((each) => each.id === params.attachment);
  if (!message || !file || message.inboxId !== params.inbox) return fail(404, 'NotFoundError', 'not_found', 'Attachment not found');
  return {
    status: 200,
    json: {
      attachment_id: file.id,
      filename: file.filename,
      size: file.sizeBytes,
      content_type: file.contentType,
      content_disposition: 'attachment',
      download_url: context.attachmentLink(message, file),
      expires_at: context.linkExpiry(),
    },
  };
}

/** `POST .../messages/send`; an Idempotency-Key is optional here, and honoured like OpenMail's when given. */
function send(params: Record<string, string>, request: RestRequest, context: RestContext): RestAnswer {
  const key = header(request, 'idempotency-key');
  const seen = key === null ? null : context.idempotency.check(key, request.body);
  if (seen?.kind === 'replay') return seen.answer;
  if (seen?.kind === 'conflict') {
    return fail(409, 'ConflictError', 'idempotency_conflict', 'Idempotency-Key was already used with a different request body');
  }
  const inbox = context.mailbox.inbox(params.inbox!);
  if (!inbox) return fail(404, 'NotFoundError', 'not_found', 'Inbox not found');
  const body = jsonObject(request.body);
  if (!body) return invalid('body must be a JSON object');
  const to = addressList(body.to ?? []);
  const cc = addressList(body.cc ?? []);
  const { subject, text, html } = body;
  if (!to || to.length === 0 || !cc) return invalid('to must name at least one recipient');
  if (subject !== undefined && typeof subject !== 'string') return invalid('subject must be a string');
  if ((text !== undefined && typeof text !== 'string') || (html !== undefined && typeof html !== 'string')) {
    return invalid('text and html must be strings');
  }
  if (text === undefined && html === undefined) return invalid('text or html is required');
  const wait = context.takeSend(inbox.id);
  if (wait > 0) return retryAfter(AGENTMAIL_REST.error('rate_limited', 'Send limit reached'), wait);
  const sent = context.mailbox.send(inbox.id, {
    to,
    cc,
    subject: subject ?? '',
    text: text ?? '',
    html: html ?? null,
    threadId: null,
  });
  if (typeof sent === 'string') return AGENTMAIL_REST.error('internal', 'Send failed');
  const answer: RestAnswer = { status: 200, json: { message_id: sent.id, thread_id: sent.threadId } };
  if (key !== null) context.idempotency.remember(key, request.body, answer);
  return answer;
}

function isRead(message: MailboxMessage, context: RestContext): boolean {
  return context.mailbox.thread(message.threadId)?.isRead ?? false;
}

/** `labels` comes repeated (`labels=a&labels=b`) or, as AgentMail's Node SDK sends it, as one JSON array. */
function labelFilter(values: string[]): string[] | null {
  const labels: string[] = [];
  for (const value of values) {
    if (!value.startsWith('[')) {
      labels.push(value);
      continue;
    }
    const parsed = jsonArray(value);
    if (!parsed) return null;
    labels.push(...parsed);
  }
  return labels;
}

function jsonArray(text: string): string[] | null {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : null;
  } catch {
    return null;
  }
}

/** Epoch ms of a timestamp parameter; null when absent, NaN when malformed. */
function time(value: string | null): number | null {
  return value === null ? null : Date.parse(value);
}

/** Page tokens are opaque to clients: a position, base64url-encoded. */
function writeToken(position: number): string {
  return Buffer.from(JSON.stringify({ p: position })).toString('base64url');
}

function readToken(token: string): number | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    const position = typeof value === 'object' && value !== null ? (value as { p?: unknown }).p : undefined;
    return Number.isSafeInteger(position) && (position as number) >= 0 ? (position as number) : null;
  } catch {
    return null;
  }
}

function invalid(message: string): RestAnswer {
  return fail(400, 'ValidationError', 'validation_error', message);
}

function fail(status: number, name: string, code: string, message: string): RestAnswer {
  return { status, json: { name, code, message, docs: `https://docs.agentmail.to/errors#${code}` } };
}
