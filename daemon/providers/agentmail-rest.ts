// AgentMail's REST API for catch-up (docs/providers.md): `GET /v0/inboxes` and `GET /v0/inboxes/{id}/messages`
// paged with `page_token`, newest first, filtered to inbound mail (`labels=received`) received `after` the
// window's start. Listed items have no bodies: each one not already held is fetched whole with
// `GET /v0/inboxes/{id}/messages/{message_id}`, whose message is the object AgentMail pushes.
import type { MailEvent } from '../../shared/event.ts';
import { toMailMessage } from './agentmail-message.ts';
import { segment, stringField, type ProviderAttachments } from './attachment-download.ts';
import { caughtEvent, isId, isoOf, listIn, malformed, mapItems, timeOf, type CaughtItem, type ProviderCatchUp } from './catch-up.ts';
import { isRecord } from './event-shape.ts';

const MAX_PAGE = 100;
/** The label AgentMail gives inbound mail. */
const RECEIVED = 'received';

export const AGENTMAIL_CATCH_UP: ProviderCatchUp = {
  maxPageSize: MAX_PAGE,
  // AgentMail documents no per-minute limit; OpenMail's is a safe ceiling.
  requestsPerMinute: 1_000,
  async listInboxes(get, cursor) {
    const answer = await get('/v0/inboxes', { limit: MAX_PAGE, page_token: cursor ?? undefined });
    if (!answer.ok) return answer;
    const inboxes = listIn(answer.value, 'inboxes');
    if (inboxes === null) return malformed('GET /v0/inboxes');
    const ids = inboxes.map((inbox) => (isRecord(inbox) ? inbox.inbox_id : null)).filter(isId);
    return { ok: true, value: { items: ids, next: pageToken(answer.value), skipped: inboxes.length - ids.length } };
  },
  async listInbound(get, inboxId, request) {
    const path = messagesPath(inboxId);
    const answer = await get(path, {
      limit: request.limit,
      labels: RECEIVED,
      after: isoOf(request.since),
      page_token: request.cursor ?? undefined,
    });
    if (!answer.ok) return answer;
    const messages = listIn(answer.value, 'messages');
    if (messages === null) return malformed(`GET ${path}`);
    const { items, skipped } = mapItems(messages, (message) => toItem(inboxId, message, false));
    return { ok: true, value: { items, next: pageToken(answer.value), skipped } };
  },
  async fetchWhole(get, inboxId, item) {
    const path = `${messagesPath(inboxId)}/${encodeURIComponent(item.event.message!.id)}`;
    const answer = await get(path);
    if (!answer.ok) return answer;
    const whole = isRecord(answer.value) ? toItem(inboxId, answer.value, true) : null;
    return whole === null ? malformed(`GET ${path}`) : { ok: true, value: whole.event };
  },
};

/** `GET /v0/inboxes/{inbox_id}/messages/{message_id}/attachments/{attachment_id}`: JSON with a short-lived `download_url`. */
export const AGENTMAIL_ATTACHMENTS: ProviderAttachments = {
  request(event, attachment) {
    const inbox = segment(event.inbox_id);
    const message = segment(event.message?.id);
    const file = segment(attachment.attachmentId);
    if (inbox === null || message === null || file === null) return null;
    return {
      kind: 'link',
      path: `/v0/inboxes/${inbox}/messages/${message}/attachments/${file}`,
      link: (answer) => stringField(answer, 'download_url'),
    };
  },
};

function messagesPath(inboxId: string): string {
  return `/v0/inboxes/${encodeURIComponent(inboxId)}/messages`;
}

function pageToken(value: unknown): string | null {
  const token = isRecord(value) ? value.next_page_token : null;
  return typeof token === 'string' && token !== '' && token.length <= 4096 ? token : null;
}

function toItem(inboxId: string, message: Record<string, unknown>, whole: boolean): CaughtItem | null {
  const at = timeOf(message.timestamp);
  const labels = message.labels;
  const inbound = !Array.isArray(labels) || labels.includes(RECEIVED);
  if (!isId(message.message_id) || at === null || !inbound) return null;
  const event = toEvent(inboxId, message.message_id, at, message);
  return event === null ? null : { event, at, whole };
}

function toEvent(inboxId: string, id: string, at: number, message: Record<string, unknown>): MailEvent | null {
  return caughtEvent(id, {
    occurred_at: isoOf(at),
    inbox_id: inboxId,
    ...(message.thread_id != null && { thread_id: message.thread_id }),
    message: toMailMessage(message),
  });
}
