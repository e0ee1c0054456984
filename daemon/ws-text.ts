// The text of a `ws` message, whichever buffer shape the library hands it over in.
import type { RawData } from 'ws';

export function messageText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
