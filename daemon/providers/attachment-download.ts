// How a provider's REST API hands out one attachment of a mail (docs/providers.md, the attachments row of each REST
// section), as a request the REST client makes with the account's key. Pure: each provider's REST module says which
// path names the file; the download itself (rest-client.ts) and what is kept (daemon/attachments/) are elsewhere.
import type { MailAttachment, MailEvent } from '../../shared/event.ts';
import { isRecord } from './event-shape.ts';

export type AttachmentRequest =
  /** The bytes at this path, or a redirect from it to a signed link (OpenMail's 302), which is followed without the key. */
  | { kind: 'bytes'; path: string }
  /** JSON at this path that names a short-lived link to the bytes (AgentMail's `download_url`). */
  | { kind: 'link'; path: string; link(answer: unknown): string | null };

export interface ProviderAttachments {
  /** How to fetch this attachment of this mail; null when the event does not say enough (no message or file id). */
  request(event: MailEvent, attachment: MailAttachment): AttachmentRequest | null;
}

/** A path segment from a value the event carries; null when there is none to use. */
export function segment(value: unknown): string | null {
  return typeof value === 'string' && value !== '' && value.length <= 1024 ? encodeURIComponent(value) : null;
}

/** A string field of a JSON answer; null when absent or of another type. */
export function stringField(answer: unknown, key: string): string | null {
  const value = isRecord(answer) ? answer[key] : undefined;
  return typeof value === 'string' && value !== '' ? value : null;
}
