// The bytes behind a demo attachment: a pure function of its name, type and text, so every seed yields the same
// files and nothing has to be stored. Text types are their text; a PDF is a one-page document showing the text;
// a PNG is a small image whose pixels follow a hash of the text. Small, but real enough for a viewer to open.
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';

export interface AttachmentSource {
  filename: string;
  contentType: string;
  parsedText?: string;
}

export function attachmentBytes(source: AttachmentSource): Buffer {
  const text = source.parsedText ?? source.filename;
  if (source.contentType === 'application/pdf') return pdf(text);
  if (source.contentType === 'image/png') return png(`${source.filename}\n${text}`);
  return Buffer.from(text, 'utf8');
}

function pdf(text: string): Buffer {
  const lines = text.split('\n').map((line) => `(${pdfString(line)}) Tj T*`);
  const content = `BT /F1 11 Tf 72 720 Td 15 TL\n${lines.join('\n')}\nET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  for (const [index, body] of objects.entries()) {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${index + 1} 0 obj\n${body}\nendobj\n`;
  }
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) out += `${String(offset).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** A PDF literal string: printable ASCII only, with its three special characters escaped. */
function pdfString(line: string): string {
  return line.replace(/[^\x20-\x7e]/g, '?').replace(/[\\()]/g, (c) => `\\${c}`);
}

const PNG_SIDE = 16;

function png(seed: string): Buffer {
  const digest = createHash('sha256').update(seed).digest();
  // Each row: filter byte 0, then RGB pixels drawn from the digest, so the image is stable per seed.
  const rows = Buffer.alloc(PNG_SIDE * (1 + PNG_SIDE * 3));
  for (let y = 0; y < PNG_SIDE; y++) {
    const row = y * (1 + PNG_SIDE * 3);
    for (let x = 0; x < PNG_SIDE; x++) {
      for (let c = 0; c < 3; c++) rows[row + 1 + x * 3 + c] = digest[(x * 3 + y * 5 + c * 7) % digest.length]!;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(PNG_SIDE, 0);
  header.writeUInt32BE(PNG_SIDE, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, default compression, filter and no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', storedZlib(rows)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A zlib stream holding the data in one stored (uncompressed) block: the image is tiny, and compressing it
 * would cost more than everything else a sample mail takes to make. */
function storedZlib(data: Buffer): Buffer {
  const block = Buffer.alloc(5);
  block[0] = 1; // the final block, stored
  block.writeUInt16LE(data.length, 1);
  block.writeUInt16LE(~data.length & 0xffff, 3);
  let a = 1;
  let b = 0;
  for (const byte of data) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  const adler = Buffer.alloc(4);
  adler.writeUInt32BE(((b << 16) | a) >>> 0);
  return Buffer.concat([Buffer.from([0x78, 0x01]), block, data, adler]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}
