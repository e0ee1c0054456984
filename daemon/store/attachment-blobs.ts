// The files behind kept attachments, each named by the SHA-256 of its bytes under `<data dir>/attachments` (0700,
// every file 0600), so one file serves every mail that carries the same bytes. A file appears under its name only
// whole: it is written to a temp file, its size checked, synced, then renamed. A crash or a full disk mid-write
// leaves at most a temp file, which the next start removes; nothing half-written is ever served.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ensurePrivateDir, PRIVATE_FILE_MODE, syncDirectory } from './private-files.ts';

const TEMP_PREFIX = '.tmp-';
const NAME = /^[0-9a-f]{64}$/;

/** The bytes that came are not as many as the mail said: a file is kept only whole. */
export class SizeMismatchError extends Error {
  readonly expected: number;
  readonly received: number;

  constructor(expected: number, received: number) {
    super(`${received} bytes came where the mail announced ${expected}`);
    this.name = 'SizeMismatchError';
    this.expected = expected;
    this.received = received;
  }
}

export interface StoredBlob {
  sha256: string;
  size: number;
}

export class BlobStore {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  /** Creates the directory (0700) and removes the temp files of writes that never finished. */
  open(): void {
    ensurePrivateDir(this.dir);
    for (const name of fs.readdirSync(this.dir)) {
      if (name.startsWith(TEMP_PREFIX)) fs.rmSync(path.join(this.dir, name), { force: true });
    }
  }

  /** Writes `body` and keeps it under its hash if it is exactly `expectedBytes` long; throws otherwise. */
  async put(body: AsyncIterable<Uint8Array>, expectedBytes: number): Promise<StoredBlob> {
    const temp = path.join(this.dir, `${TEMP_PREFIX}${process.pid}-${randomBytes(8).toString('hex')}`);
    const file = await fs.promises.open(temp, 'wx', PRIVATE_FILE_MODE);
    const hash = createHash('sha256');
    let size = 0;
    try {
      try {
        for await (const chunk of body) {
          hash.update(chunk);
          size += chunk.byteLength;
          await file.write(chunk);
        }
        if (size !== expectedBytes) throw new SizeMismatchError(expectedBytes, size);
        await file.sync();
      } finally {
        await file.close();
      }
      const sha256 = hash.digest('hex');
      // The same bytes may be kept already, for another mail: the file there is the same file.
      if (fs.existsSync(this.path(sha256))) await fs.promises.rm(temp, { force: true });
      else await fs.promises.rename(temp, this.path(sha256));
      syncDirectory(this.dir);
      return { sha256, size };
    } catch (error) {
      await fs.promises.rm(temp, { force: true });
      throw error;
    }
  }

  path(sha256: string): string {
    if (!NAME.test(sha256)) throw new TypeError(`not a SHA-256 name: ${JSON.stringify(sha256)}`);
    return path.join(this.dir, sha256);
  }

  /** The size of the kept file, or null when there is none. */
  size(sha256: string): number | null {
    try {
      return fs.statSync(this.path(sha256)).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  remove(sha256: string): void {
    fs.rmSync(this.path(sha256), { force: true });
  }

  /** The names of every kept file. */
  list(): string[] {
    return fs.readdirSync(this.dir).filter((name) => NAME.test(name));
  }
}
