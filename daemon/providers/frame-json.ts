// Reads one untrusted text frame as JSON within size and nesting limits, and never throws.
import { Buffer } from 'node:buffer';
import { MAX_FRAME_BYTES } from './adapter.ts';

/** Deepest JSON nesting accepted. Events nest four levels. V8 parses far deeper without complaint, but the
 * recursive JSON.stringify and structuredClone downstream throw RangeError on such a value. */
export const MAX_FRAME_DEPTH = 64;

export type JsonFrame = { ok: true; value: unknown } | { ok: false; reason: string };

/** `maxBytes`: a socket frame's limit by default; a REST answer passes its own. */
export function readJsonFrame(raw: string, maxBytes: number = MAX_FRAME_BYTES): JsonFrame {
  // The type says string, but a socket library hands out Buffers too; charCodeAt below would throw on one.
  if (typeof raw !== 'string') return { ok: false, reason: 'frame is not text' };
  // UTF-8 never takes fewer bytes than UTF-16 code units, so the cheap length test settles most large frames.
  if (raw.length > maxBytes || Buffer.byteLength(raw, 'utf8') > maxBytes) {
    return { ok: false, reason: `frame larger than ${maxBytes} bytes` };
  }
  if (nestsDeeperThan(raw, MAX_FRAME_DEPTH)) {
    return { ok: false, reason: `frame nested deeper than ${MAX_FRAME_DEPTH} levels` };
  }
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch {
    return { ok: false, reason: 'frame is not valid JSON' };
  }
}

/** Bracket depth outside string literals. Exact for valid JSON; invalid JSON fails to parse either way. */
function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: the next code unit is escaped, even a quote
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}

/** A frame that must be a JSON object, as every provider's frames are; anything else says why it is not. */
export function readFrameObject(raw: string): { ok: true; value: Record<string, unknown> } | { ok: false; reason: string } {
  const frame = readJsonFrame(raw);
  if (!frame.ok) return frame;
  if (typeof frame.value !== 'object' || frame.value === null || Array.isArray(frame.value)) {
    return { ok: false, reason: 'frame is not a JSON object' };
  }
  return { ok: true, value: frame.value as Record<string, unknown> };
}
