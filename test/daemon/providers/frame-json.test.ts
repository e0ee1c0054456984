import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { MAX_FRAME_BYTES } from '../../../daemon/providers/adapter.ts';
import { MAX_FRAME_DEPTH, readJsonFrame } from '../../../daemon/providers/frame-json.ts';

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
/** A JSON string literal of exactly `bytes` UTF-8 bytes, built from a `unit` of `unitBytes` bytes. */
const literalOf = (bytes: number, unit: string, unitBytes: number) => `"${unit.repeat((bytes - 2) / unitBytes)}"`;

describe('readJsonFrame', () => {
  it('parses a frame of exactly the size limit', () => {
    const raw = literalOf(MAX_FRAME_BYTES, 'x', 1);
    expect(raw.length).toBe(MAX_FRAME_BYTES);
    expect(readJsonFrame(raw).ok).toBe(true);
  });

  it('refuses a frame one byte over the limit', () => {
    expect(readJsonFrame(`${literalOf(MAX_FRAME_BYTES, 'x', 1)} `)).toEqual({
      ok: false,
      reason: `frame larger than ${MAX_FRAME_BYTES} bytes`,
    });
  });

  it('counts UTF-8 bytes, not characters', () => {
    const raw = `"${'\u20ac'.repeat(MAX_FRAME_BYTES / 3 + 1)}"`;
    expect(raw.length).toBeLessThan(MAX_FRAME_BYTES);
    expect(Buffer.byteLength(raw)).toBeGreaterThan(MAX_FRAME_BYTES);
    expect(readJsonFrame(raw).ok).toBe(false);
  });

  it('accepts nesting up to the limit and refuses one level more', () => {
    expect(readJsonFrame(nested(MAX_FRAME_DEPTH)).ok).toBe(true);
    expect(readJsonFrame(nested(MAX_FRAME_DEPTH + 1))).toEqual({
      ok: false,
      reason: `frame nested deeper than ${MAX_FRAME_DEPTH} levels`,
    });
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    const raw = JSON.stringify({ text: `"${'['.repeat(MAX_FRAME_DEPTH * 2)}\\"{{{` });
    expect(readJsonFrame(raw)).toEqual({ ok: true, value: JSON.parse(raw) });
  });

  it('reports invalid JSON and non-text input instead of throwing', () => {
    expect(readJsonFrame('{"a":')).toEqual({ ok: false, reason: 'frame is not valid JSON' });
    expect(readJsonFrame(Buffer.from('{}') as unknown as string)).toEqual({ ok: false, reason: 'frame is not text' });
  });
});
