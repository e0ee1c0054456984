// AgentMail's message object (snake_case, `message_id`, `to` as a list, `text` and `extracted_text`), as its
// pushes and its REST API both carry it, mapped onto the message of the one event shape. Fills in only what is
// absent (null counts as absent: AgentMail may serialise missing optionals that way); a present value of the
// wrong type is passed on for the shape check to reject.
import { isRecord, joinAddresses } from './event-shape.ts';

export function toMailMessage(message: Record<string, unknown>): Record<string, unknown> {
  const text = message.text ?? message.extracted_text;
  return {
    id: message.message_id,
    from: message.from,
    to: joinAddresses(message.to ?? []),
    ...(message.cc != null && { cc: message.cc }),
    subject: message.subject ?? '',
    ...(text != null && { body_text: text }),
    ...(message.attachments != null && { attachments: toAttachments(message.attachments) }),
    ...(message.timestamp != null && { received_at: message.timestamp }),
  };
}

function toAttachments(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  return value.map((attachment: unknown) =>
    isRecord(attachment)
      ? {
          // AgentMail marks both optional; OpenMail's shape requires them.
          filename: attachment.filename ?? '',
          contentType: attachment.content_type ?? 'application/octet-stream',
          sizeBytes: attachment.size,
          ...(attachment.attachment_id != null && { attachmentId: attachment.attachment_id }),
        }
      : attachment,
  );
}
