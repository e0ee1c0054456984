// Inbox ids and event types are typed as one line ("inb_1, inb_2" or space separated); an empty list means "all".

export function parseIdList(text: string): string[] {
  const ids = text.split(/[\s,]+/).filter((id) => id !== '');
  return [...new Set(ids)];
}

export function describeIdList(ids: readonly string[], all: string): string {
  return ids.length === 0 ? all : ids.join(', ');
}
