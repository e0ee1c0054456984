// myagentmail's REST API for catch-up (docs/providers.md): `GET /v1/inboxes` and `GET /v1/inboxes/{id}/messages`
// with offset paging and `direction=inbound`. Listed messages carry their bodies; fetching one alone would mark
// it read, so catch-up never does. A REST message is camelCase (`plainBody`, `receivedAt`, `messageIdHeader`).
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
import { isRecord, joinAddresses } from './event-shape.ts';

const MAX_PAGE = 100;

export const MYAGENTMAIL_CATCH_UP: ProviderCatchUp = {
  maxPageSize: MAX_PAGE,
  // myagentmail documents no per-minute limit; OpenMail's is a safe ceiling.
  requestsPerMinute: 1_000,
  async listInboxes(get) {
    // One answer with every inbox: no paging is documented.
    const answer = await get('/v1/inboxes');
    if (!answer.ok) return answer;
    const inboxes = listIn(answer.value, 'inboxes');
    if (inboxes === null) return malformed('GET /v1/inboxes');
    const ids = inboxes.map((inbox) => (isRecord(inbox) ? inbox.id : null)).filter(isId);
    return { ok: true, value: { items: ids, next: null, skipped: inboxes.length - ids.length } };
  },
  async listInbound(get, inboxId, request) {
    const offset = offsetOf(request.cursor);
    const path = `/v1/inboxes/${encodeURIComponent(inboxId)}/messages`;
    const answer = await get(path, { limit: request.limit, offset, direction: 'inbound' });
    if (!answer.ok) return answer;
    const messages = listIn(answer.value, 'messages');
    if (messages === null) return malformed(`GET ${path}`);
    const { items, skipped } = mapItems(messages, (message) => toItem(inboxId, message));
    const pagination = (answer.value as Record<string, unknown>).pagination;
    const total = isRecord(pagination) ? pagination.total : undefined;
    return { ok: true, value: { items, next: nextOffset(offset, messages.length, request.limit, total), skipped } };
  },
  fetchWhole: async (_get, _inboxId, item) => ({ ok: true, value: item.event }),
};

/** `GET /v1/inboxes/{id}/messages/{messageId}/attachments/{aid}`: the bytes themselves. Only mail caught up over REST
 * names its files: pushes carry no attachments. */
export const MYAGENTMAIL_ATTACHMENTS: ProviderAttachments = {
  request(event, attachment) {
    const inbox = segment(event.inbox_id);
    const message = segment(event.message?.id);
    const file = segment(attachment.attachmentId);
    if (inbox === null || message === null || file === null) return null;
    return { kind: 'bytes', path: `/v1/inboxes/${inbox}/messages/${message}/attachments/${file}` };
  },
};

function toItem(inboxId: string, message: Record<string, unknown>): CaughtItem | null {
  const at = timeOf(message.receivedAt);
  if (!isId(message.id) || at === null || (message.direction !== undefined && message.direction !== 'inbound')) return null;
  const event = toEvent(inboxId, message.id, at, message);
  return event === null ? null : { event, at, whole: true };
}

function toEvent(inboxId: string, id: string, at: number, message: Record<string, unknown>): MailEvent | null {
  return caughtEvent(id, {
    occurred_at: isoOf(at),
    inbox_id: inboxId,
    ...(message.threadId != null && { thread_id: message.threadId }),
    message: {
      id,
      ...(message.messageIdHeader != null && { rfc_message_id: message.messageIdHeader }),
      from: message.from,
      to: joinAddresses(message.to ?? ''),
      subject: message.subject ?? '',
      ...(message.plainBody != null && { body_text: message.plainBody }),
      ...(Array.isArray(message.attachments) && { attachments: message.attachments.map(toAttachment) }),
      // As received: the fingerprint that pairs this with a push reads this time (message-key.ts).
      received_at: message.receivedAt,
    },
  });
}

function toAttachment(attachment: unknown): unknown {
  if (!isRecord(attachment)) return attachment;
  return {
    filename: attachment.filename ?? '',
    contentType: attachment.contentType ?? 'application/octet-stream',
    sizeBytes: attachment.sizeBytes,
    ...(attachment.id != null && { attachmentId: attachment.id }),
  };
}
