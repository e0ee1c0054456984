// A stored mail as agents are given it (wait answers, the MCP tools): a summary for lists and code answers, the
// full view with the body and the attachment list for a single mail. Fields a mail lacks are null, never absent.
import type { EventRecord } from '../../shared/event.ts';
import type { MailSummary, MailView } from '../../shared/wait.ts';
import { bodyText } from '../mail-content/message-text.ts';

/** A stored record or a history item: both carry these. */
export type MailRecord = Pick<EventRecord, 'seq' | 'account' | 'event'>;

export function mailSummary(record: MailRecord): MailSummary {
  const { event } = record;
  const message = event.message;
  return {
    seq: record.seq,
    event_type: event.event,
    account: record.account,
    inbox_id: event.inbox_id ?? null,
    thread_id: event.thread_id ?? null,
    message_id: message?.id ?? null,
    from: message?.from ?? null,
    to: message?.to ?? null,
    subject: message?.subject ?? null,
    received_at: message?.received_at ?? event.occurred_at,
    attachment_count: message?.attachments?.length ?? 0,
  };
}

export function mailView(record: MailRecord): MailView {
  const message = record.event.message;
  const body = bodyText(message);
  return {
    ...mailSummary(record),
    cc: message?.cc ?? [],
    body_text: body === '' ? null : body,
    attachments: (message?.attachments ?? []).map((attachment) => ({
      filename: attachment.filename,
      content_type: attachment.contentType,
      size_bytes: attachment.sizeBytes,
      url: attachment.url ?? null,
      has_parsed_text: typeof attachment.parsedText === 'string' && attachment.parsedText !== '',
      local_url: attachment.local_url ?? null,
    })),
  };
}
