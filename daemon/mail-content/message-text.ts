// What a mail says, read from the one event shape: its text, and its HTML where a provider passes one through
// (`body_html` or `html` beside OpenMail's fields). The body filter and the code finder read mail only through this.
import type { MailEvent, MailMessage } from '../../shared/event.ts';
import { htmlText } from './html-text.ts';
import type { CodeSource } from './one-time-code.ts';

export function messageHtml(message: MailMessage | undefined): string | null {
  const extra = message as (MailMessage & Record<string, unknown>) | undefined;
  const html = extra?.body_html ?? extra?.html;
  return typeof html === 'string' && html.trim() !== '' ? html : null;
}

/** The body as a person reads it: the text part, or the HTML part's text when there is no text part. */
export function bodyText(message: MailMessage | undefined): string {
  const text = message?.body_text;
  if (typeof text === 'string' && text.trim() !== '') return text;
  const html = messageHtml(message);
  return html === null ? '' : htmlText(html).text;
}

export function codeSource(event: MailEvent): CodeSource {
  const message = event.message;
  return {
    subject: typeof message?.subject === 'string' ? message.subject : '',
    text: typeof message?.body_text === 'string' ? message.body_text : null,
    html: messageHtml(message),
  };
}
