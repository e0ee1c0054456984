// The bearer token for the local endpoint: 256 random bits, hex, in `<dataDir>/token`, kept across restarts
// so agents configured once keep working.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ensurePrivateDir, PRIVATE_FILE_MODE, readTextIfExists, writePrivateFile } from '../store/private-files.ts';

const TOKEN_PATTERN = /^[0-9a-f]{64}$/;

export function tokenFile(dataDir: string): string {
  return path.join(dataDir, 'token');
}

/** The stored token, or a new one when there is none (or it was damaged). */
export function loadToken(dataDir: string): string {
  const file = tokenFile(dataDir);
  const stored = readTextIfExists(file)?.trim();
  if (stored === undefined || !TOKEN_PATTERN.test(stored)) return rotateToken(dataDir);
  // Someone may have loosened the mode by hand; the token is only as private as its file.
  fs.chmodSync(file, PRIVATE_FILE_MODE);
  return stored;
}

/** Replaces the token; clients holding the old one get 401 once the server adopts the new one. */
export function rotateToken(dataDir: string): string {
  ensurePrivateDir(dataDir);
  const token = randomBytes(32).toString('hex');
  writePrivateFile(tokenFile(dataDir), `${token}\n`);
  return token;
}
