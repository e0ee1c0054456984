// Senders arrive as RFC 5322 strings ("Dana Reyes <dana@example.com>" or a bare address); lists show the name.

const NAME_ADDR = /^\s*"?([^"<]*?)"?\s*<([^>]+)>\s*$/;

export function senderName(from: string): string {
  const match = NAME_ADDR.exec(from);
  if (match === null) return from.trim();
  const name = match[1]?.trim() ?? '';
  return name !== '' ? name : (match[2]?.trim() ?? '');
}
