import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadToken, rotateToken, tokenFile } from '../../../daemon/local-api/token.ts';

let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-token-'));
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('token', () => {
  it('creates 256 random bits as hex in a 0600 file, and returns the same token afterwards', () => {
    const dataDir = path.join(dir, 'data');
    const token = loadToken(dataDir);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(fs.statSync(tokenFile(dataDir)).mode & 0o777).toBe(0o600);
    expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(loadToken(dataDir)).toBe(token);
  });

  it('rotates to a different token', () => {
    const first = loadToken(dir);
    const second = rotateToken(dir);
    expect(second).not.toBe(first);
    expect(loadToken(dir)).toBe(second);
  });

  it('replaces a damaged token file and tightens a loosened mode', () => {
    fs.writeFileSync(tokenFile(dir), 'short\n', { mode: 0o644 });
    const token = loadToken(dir);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    fs.chmodSync(tokenFile(dir), 0o644);
    expect(loadToken(dir)).toBe(token);
    expect(fs.statSync(tokenFile(dir)).mode & 0o777).toBe(0o600);
  });
});
