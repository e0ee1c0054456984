// Where a kept attachment is served: `local_url` on each attachment of an event names `/v1/attachments/<id>` on the
// local endpoint. The engine derives the id when it commits the event; the window and agents read it back from the
// URL, so nobody needs to know how it was made. Also what the engine and the window both decide about a file from
// the mail: which types may be shown in place, and what its name may be when saved.

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

const TOKEN = '[a-z0-9!#$&^_.+-]{1,63}';
const ESSENCE = new RegExp(`^${TOKEN}/${TOKEN}$`);
export const OCTET_STREAM = 'application/octet-stream';

/** Shown in place by a browser without running anything of the file's own (besides audio and video). */
const PASSIVE: ReadonlySet<string> = new Set([
  'text/plain',
  'text/csv',
  'application/pdf',
  'application/json',
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/avif',
  'image/bmp',
]);

/** The declared type's `type/subtype`, lower case; application/octet-stream when it is not a MIME type. */
export function essenceOf(declared: string): string {
  const essence = declared.split(';', 1)[0]!.trim().toLowerCase();
  return ESSENCE.test(essence) ? essence : OCTET_STREAM;
}

/** Whether a file may be shown in place: passive types only. HTML, SVG, XML, scripts and the rest are downloads. */
export function isPassiveType(declared: string): boolean {
  const essence = essenceOf(declared);
  return PASSIVE.has(essence) || essence.startsWith('audio/') || essence.startsWith('video/');
}
