// How a mail is shortened for a tray menu line or a notification: plain text, one line, bounded length.
import type { MailEvent } from '../shared/event.ts';

/** `"Jane Doe" <jane@example.com>` -> `Jane Doe`; a bare address stays as it is. */
export function senderName(event: MailEvent): string {
  const from = oneLine(event.message?.from ?? '');
  const named = /^\s*"?([^"<]*?)"?\s*<[^>]*>\s*$/.exec(from);
  const name = named?.[1]?.trim() || from.replace(/^<|>$/g, '').trim();
  return name || event.inbox_id || 'Unknown sender';
}

export function subjectLine(event: MailEvent): string {
  return oneLine(event.message?.subject ?? '') || '(no subject)';
}

/** The start of the plain-text body, whitespace collapsed, cut at a word when it is longer than `max`. */
export function bodySnippet(event: MailEvent, max: number): string {
  return truncate(oneLine(event.message?.body_text ?? ''), max);
}

export function truncate(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  const cut = chars.slice(0, max - 1).join('');
  const atWord = cut.replace(/\s+\S*$/, '');
  return `${atWord.length >= max / 2 ? atWord : cut}…`;
}

function oneLine(text: string): string {
  // Control characters (including bidi overrides) would garble a menu or notification line.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is what this expression is for.
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]+/g, ' ').replace(/\s+/g, ' ').trim();
}
