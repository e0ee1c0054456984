// OpenMail's REST API for catch-up (docs/providers.md): `GET /v1/inboxes` and `GET /v1/inboxes/{id}/messages`
// with offset paging, newest first, inbound only. Listed messages carry their bodies, so nothing is fetched
// one by one. A REST message is camelCase (`fromAddr`, `bodyText`, `createdAt`) and has no event id; it maps
// onto the event shape OpenMail pushes.
import type { MailEvent } from '../../shared/event.ts';
import { segment, type ProviderAttachments } from './attachment-download.ts';
import {
  caughtEvent,
  isId,
  isoOf,
  listIn,
  malformed,
  mapItems,
  nextOffset,
  offsetOf,
  timeOf,
  type CaughtItem,
  type ProviderCatchUp,
} from './catch-up.ts';
import { isRecord } from './event-shape.ts';

const MAX_PAGE = 100;

export const OPENMAIL_CATCH_UP: ProviderCatchUp = {
  maxPageSize: MAX_PAGE,
  requestsPerMinute: 1_000,
  async listInboxes(get, cursor) {
    const offset = offsetOf(cursor);
    const answer = await get('/v1/inboxes', { limit: MAX_PAGE, offset });
    if (!answer.ok) return answer;
    const data = listIn(answer.value, 'data');
    if (data === null) return malformed('GET /v1/inboxes');
    const ids = data.map((inbox) => (isRecord(inbox) ? inbox.id : null)).filter(isId);
    const total = (answer.value as Record<string, unknown>).total;
    return { ok: true, value: { items: ids, next: nextOffset(offset, data.length, MAX_PAGE, total), skipped: data.length - ids.length } };
  },
  async listInbound(get, inboxId, request) {
    const offset = offsetOf(request.cursor);
    const path = `/v1/inboxes/${encodeURIComponent(inboxId)}/messages`;
    const answer = await get(path, { limit: request.limit, offset, direction: 'inbound' });
    if (!answer.ok) return answer;
    const data = listIn(answer.value, 'data');
    if (data === null) return malformed(`GET ${path}`);
    const { items, skipped } = mapItems(data, (message) => toItem(inboxId, message));
    const total = (answer.value as Record<string, unknown>).total;
    return { ok: true, value: { items, next: nextOffset(offset, data.length, request.limit, total), skipped } };
  },
  // Listed messages are whole already.
  fetchWhole: async (_get, _inboxId, item) => ({ ok: true, value: item.event }),
};

/** `GET /v1/attachments/{messageId}/{filename}`: a 302 to a fresh signed link. */
export const OPENMAIL_ATTACHMENTS: ProviderAttachments = {
  request(event, attachment) {
    const message = segment(event.message?.id);
    const filename = segment(attachment.filename);
    return message === null || filename === null ? null : { kind: 'bytes', path: `/v1/attachments/${message}/${filename}` };
  },
};

function toItem(inboxId: string, message: Record<string, unknown>): CaughtItem | null {
  const at = timeOf(message.createdAt);
  if (!isId(message.id) || at === null || (message.direction !== undefined && message.direction !== 'inbound')) return null;
  const event = toEvent(inboxId, message.id, at, message);
  return event === null ? null : { event, at, whole: true };
}

function toEvent(inboxId: string, id: string, at: number, message: Record<string, unknown>): MailEvent | null {
  const received = isoOf(at);
  return caughtEvent(id, {
    occurred_at: received,
    inbox_id: inboxId,
    ...(message.threadId != null && { thread_id: message.threadId }),
    message: {
      id,
      from: message.fromAddr,
      to: message.toAddr ?? message.headerTo ?? '',
      ...(message.cc != null && { cc: message.cc }),
      subject: message.subject ?? '',
      ...(message.bodyText != null && { body_text: message.bodyText }),
      ...(Array.isArray(message.attachments) && { attachments: message.attachments.map(toAttachment) }),
      received_at: received,
    },
  });
}

/** The event's attachment keys are the REST message's (camelCase in both); only what the event shape names. */
function toAttachment(attachment: unknown): unknown {
  if (!isRecord(attachment)) return attachment;
  const { filename, contentType, sizeBytes, url, parsedText, extractionMethod } = attachment;
  return {
    filename,
    contentType: contentType ?? 'application/octet-stream',
    sizeBytes,
    ...(url != null && { url }),
    ...(parsedText != null && { parsedText }),
    ...(extractionMethod != null && { extractionMethod }),
  };
}
