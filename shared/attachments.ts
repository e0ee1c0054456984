// Where a kept attachment is served: `local_url` on each attachment of an event names `/v1/attachments/<id>` on the
// local endpoint. The engine derives the id when it commits the event; the window and agents read it back from the
// URL, so nobody needs to know how it was made.

export const ATTACHMENTS_PATH = '/v1/attachments';

/** `att_` and 24 base64url characters: 144 bits of a hash, never a name from the mail. */
const ID = /^att_[A-Za-z0-9_-]{24}$/;

export function isAttachmentId(value: string): boolean {
  return ID.test(value);
}

/** The path of an attachment's copy on the local endpoint, without the origin. */
export function attachmentPath(id: string): string {
  return `${ATTACHMENTS_PATH}/${id}`;
}

/** The attachment id a `local_url` names, or null when it names none (whatever its origin). */
export function attachmentIdOf(localUrl: string): string | null {
  const at = localUrl.lastIndexOf(`${ATTACHMENTS_PATH}/`);
  if (at < 0) return null;
  const id = localUrl.slice(at + ATTACHMENTS_PATH.length + 1);
  return ID.test(id) ? id : null;
}

const MAX_FILENAME = 200;

/**
 * A mail's file name as something safe to offer for saving: it is the sender's text, so no control or invisible
 * formatting character (a right-to-left override can make `exe.pdf` read backwards), no path separator and no
 * leading dot survive, and it is cut to a sane length, keeping its extension. Never empty.
 */
export function safeFilename(raw: string): string {
  let name = raw
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '')
    .replace(/[/\\]/g, '_')
    .trim()
    .replace(/^\.+/, (dots) => '_'.repeat(dots.length));
  const chars = Array.from(name);
  if (chars.length > MAX_FILENAME) {
    const dot = chars.lastIndexOf('.');
    const extension = dot > 0 && chars.length - dot <= 16 ? chars.slice(dot) : [];
    name = [...chars.slice(0, MAX_FILENAME - extension.length), ...extension].join('');
  }
  return name === '' ? 'attachment' : name;
}
