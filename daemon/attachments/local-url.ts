// `local_url` on every attachment of an event: an absolute URL on the local endpoint, added on the commit path before
// the store writes the event, so every agent sees it from the first delivery, whatever route delivers it.
//
// Its id is a hash of the account, the event id and the attachment's place in the mail: known before the event has a
// seq, the same however often the event is read, and never a name from the mail. The origin is the endpoint's as it
// was at the commit; a later run may listen on another port (`--port 0`), so what is read back from the store is given
// the current origin (`rebaseLocalUrls`), while the path, the part that names the file, never changes.
import { createHash } from 'node:crypto';
import { attachmentPath, ATTACHMENTS_PATH } from '../../shared/attachments.ts';
import type { MailAttachment, MailEvent } from '../../shared/event.ts';

export function attachmentId(account: string, eventId: string, index: number): string {
  const digest = createHash('sha256').update(`${account}\n${eventId}\n${index}`).digest('base64url');
  return `att_${digest.slice(0, 24)}`;
}

/**
 * The events as they are to be committed: each attachment with its `local_url` under `origin`, or with none when the
 * engine serves no endpoint (a `local_url` a provider sent is never kept: it would point anywhere). Events without
 * attachments are passed through untouched, and so is the batch when none has any.
 */
export function withLocalUrls(account: string, events: readonly MailEvent[], origin: string | null): readonly MailEvent[] {
  if (!events.some(hasAttachments)) return events;
  return events.map((event) => {
    const message = event.message;
    if (!hasAttachments(event) || message === undefined) return event;
    const attachments = message.attachments!.map((attachment, index): MailAttachment => {
      const { local_url: _ignored, ...rest } = attachment;
      return origin === null ? rest : { ...rest, local_url: `${origin}${attachmentPath(attachmentId(account, event.event_id, index))}` };
    });
    return { ...event, message: { ...message, attachments } };
  });
}

export function hasAttachments(event: MailEvent): boolean {
  const attachments = event.message?.attachments;
  return Array.isArray(attachments) && attachments.length > 0;
}

const LOCAL_URL_KEY = '"local_url":"';
// Only a key this code wrote matches: inside a JSON string every quote is escaped, so text in a mail cannot.
const LOCAL_URL_ORIGIN = new RegExp(`"local_url":"(https?://[^/"]+)${ATTACHMENTS_PATH.replaceAll('/', '\\/')}/`, 'g');

/** A stored payload with its `local_url`s under `origin`; the same string when they are already (or there are none). */
export function rebaseLocalUrls(payload: string, origin: string): string {
  if (!payload.includes(LOCAL_URL_KEY)) return payload;
  return payload.replace(LOCAL_URL_ORIGIN, (match, from: string) => (from === origin ? match : `${LOCAL_URL_KEY}${origin}${ATTACHMENTS_PATH}/`));
}
