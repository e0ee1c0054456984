// The attachment files on a real disk: named by their hash, 0600 in a 0700 directory, and there only whole. A write
// that comes short, fails or is killed leaves no file under a hash, and a start clears what a killed write left.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobStore, SizeMismatchError } from '../../../daemon/store/attachment-blobs.ts';

let root: string;
let blobs: BlobStore;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-blobs-'));
  blobs = new BlobStore(path.join(root, 'attachments'));
  blobs.open();
});

afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

async function* chunks(...parts: (string | Error)[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) {
    if (part instanceof Error) throw part;
    yield Buffer.from(part);
  }
}

describe('BlobStore', () => {
  it('keeps the bytes under their SHA-256, private to this user', async () => {
    const stored = await blobs.put(chunks('hello ', 'world'), 11);
    const sha256 = createHash('sha256').update('hello world').digest('hex');
    expect(stored).toEqual({ sha256, size: 11 });
    expect(blobs.list()).toEqual([sha256]);
    expect(fs.readFileSync(blobs.path(sha256), 'utf8')).toBe('hello world');
    expect(fs.statSync(blobs.dir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(blobs.path(sha256)).mode & 0o777).toBe(0o600);
    expect(blobs.size(sha256)).toBe(11);
  });

  it('keeps one file for the same bytes put twice', async () => {
    await blobs.put(chunks('same'), 4);
    await blobs.put(chunks('sa', 'me'), 4);
    expect(fs.readdirSync(blobs.dir)).toHaveLength(1);
  });

  it('keeps nothing when the bytes are not as many as announced, or the body fails', async () => {
    await expect(blobs.put(chunks('short'), 10)).rejects.toBeInstanceOf(SizeMismatchError);
    await expect(blobs.put(chunks('long enough'), 4)).rejects.toThrow('11 bytes came where the mail announced 4');
    await expect(blobs.put(chunks('part', new Error('connection reset')), 10)).rejects.toThrow('connection reset');
    expect(fs.readdirSync(blobs.dir)).toEqual([]);
  });

  it('clears temp files a killed write left behind when it opens', () => {
    fs.writeFileSync(path.join(blobs.dir, '.tmp-123-abcdef'), 'half a file');
    fs.writeFileSync(path.join(blobs.dir, 'a'.repeat(64)), 'kept');
    new BlobStore(blobs.dir).open();
    expect(fs.readdirSync(blobs.dir)).toEqual(['a'.repeat(64)]);
  });

  it('refuses a name that is not a hash', () => {
    expect(() => blobs.path('../events.db')).toThrow(TypeError);
    expect(blobs.size('f'.repeat(64))).toBeNull();
  });
});
