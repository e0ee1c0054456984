import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensurePrivateDir, readTextIfExists, writePrivateFile } from '../../../daemon/store/private-files.ts';

let dir: string;
const mode = (file: string) => fs.statSync(file).mode & 0o777;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-private-files-'));
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('ensurePrivateDir', () => {
  it('creates missing parents and leaves the directory owner-only', () => {
    const nested = path.join(dir, 'a', 'b');
    ensurePrivateDir(nested);
    expect(mode(nested)).toBe(0o700);
  });

  it('tightens a directory that already exists with a looser mode', () => {
    const loose = path.join(dir, 'loose');
    fs.mkdirSync(loose, { mode: 0o755 });
    fs.chmodSync(loose, 0o755);
    ensurePrivateDir(loose);
    expect(mode(loose)).toBe(0o700);
  });
});

describe('writePrivateFile', () => {
  it('writes an owner-only file with the given content', () => {
    const file = path.join(dir, 'token');
    writePrivateFile(file, 'abc');
    expect(fs.readFileSync(file, 'utf8')).toBe('abc');
    expect(mode(file)).toBe(0o600);
  });

  it('replaces an existing, looser file and leaves no temporary file behind', () => {
    const file = path.join(dir, 'endpoint.json');
    fs.writeFileSync(file, 'old', { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    writePrivateFile(file, new TextEncoder().encode('new'));
    expect(fs.readFileSync(file, 'utf8')).toBe('new');
    expect(mode(file)).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual(['endpoint.json']);
  });

  it('fails without creating anything when the directory is missing', () => {
    const file = path.join(dir, 'missing', 'token');
    expect(() => writePrivateFile(file, 'x')).toThrow(/ENOENT/);
    expect(fs.existsSync(path.dirname(file))).toBe(false);
  });
});

describe('readTextIfExists', () => {
  it('returns null for a missing file and the text of an existing one', () => {
    const file = path.join(dir, 'note');
    expect(readTextIfExists(file)).toBeNull();
    fs.writeFileSync(file, 'héllo');
    expect(readTextIfExists(file)).toBe('héllo');
  });

  it('reports errors other than absence instead of pretending the file is missing', () => {
    expect(() => readTextIfExists(dir)).toThrow(/EISDIR/);
  });
});
