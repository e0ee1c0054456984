import { crc32, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { attachmentBytes } from '../../../daemon/demo/attachment-files.ts';

/** The chunks of a PNG file: type, data and whether the stored CRC matches. */
function pngChunks(bytes: Buffer): { type: string; data: Buffer; crcOk: boolean }[] {
  const chunks: { type: string; data: Buffer; crcOk: boolean }[] = [];
  for (let at = 8; at < bytes.length; ) {
    const length = bytes.readUInt32BE(at);
    const crcOk = crc32(bytes.subarray(at + 4, at + 8 + length)) === bytes.readUInt32BE(at + 8 + length);
    chunks.push({ type: bytes.toString('latin1', at + 4, at + 8), data: bytes.subarray(at + 8, at + 8 + length), crcOk });
    at += 12 + length;
  }
  return chunks;
}

describe('attachmentBytes', () => {
  it('gives a text attachment its text, byte for byte', () => {
    const text = 'POST /v1/session 401 (Unauthorized)\nUncaught Error: session expired';
    expect(attachmentBytes({ filename: 'console.txt', contentType: 'text/plain', parsedText: text }).toString('utf8')).toBe(text);
    expect(attachmentBytes({ filename: 'invite.ics', contentType: 'text/calendar' }).toString('utf8')).toBe('invite.ics');
  });

  it('makes a one-page PDF that shows the text, with a cross-reference table that points at each object', () => {
    const pdf = attachmentBytes({ filename: 'INV-1.pdf', contentType: 'application/pdf', parsedText: 'INVOICE INV-1\nTotal (USD): 9.50' });
    const text = pdf.toString('latin1');
    expect(text.startsWith('%PDF-1.4\n')).toBe(true);
    expect(text.trimEnd().endsWith('%%EOF')).toBe(true);
    expect(text).toContain('(INVOICE INV-1) Tj');
    expect(text).toContain('(Total \\(USD\\): 9.50) Tj');
    const xref = Number(/startxref\n(\d+)/.exec(text)![1]);
    expect(text.slice(xref, xref + 4)).toBe('xref');
    const offsets = [...text.slice(xref).matchAll(/^(\d{10}) 00000 n $/gm)].map((match) => Number(match[1]));
    expect(offsets).toHaveLength(5);
    for (const [index, offset] of offsets.entries()) expect(text.slice(offset).startsWith(`${index + 1} 0 obj`)).toBe(true);
  });

  it('makes a valid 16x16 RGB PNG whose pixels depend on the text', () => {
    const png = attachmentBytes({ filename: 'damage.png', contentType: 'image/png', parsedText: 'cracked casing' });
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const chunks = pngChunks(png);
    expect(chunks.map((chunk) => [chunk.type, chunk.crcOk])).toEqual([['IHDR', true], ['IDAT', true], ['IEND', true]]);
    const header = chunks[0]!.data;
    expect([header.readUInt32BE(0), header.readUInt32BE(4), header[8], header[9]]).toEqual([16, 16, 8, 2]);
    expect(inflateSync(chunks[1]!.data)).toHaveLength(16 * (1 + 16 * 3));
    const other = attachmentBytes({ filename: 'damage.png', contentType: 'image/png', parsedText: 'dented lid' });
    expect(other.equals(png)).toBe(false);
  });

  it('gives the same bytes for the same attachment every time', () => {
    const source = { filename: 'a.pdf', contentType: 'application/pdf', parsedText: 'same' };
    expect(attachmentBytes(source).equals(attachmentBytes({ ...source }))).toBe(true);
  });
});
