import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { localSocketFor, removeStaleSocket } from '../../../daemon/local-api/local-socket.ts';

describe('localSocketFor', () => {
  it('puts mailbridge.sock in the socket directory on Unix', () => {
    expect(localSocketFor('/run/dir', '/data', 'linux')).toEqual({ path: path.join('/run/dir', 'mailbridge.sock'), transport: 'unix' });
    expect(localSocketFor('/run/dir', '/data', 'darwin').transport).toBe('unix');
  });

  it('uses one named pipe per data directory on Windows', () => {
    const a = localSocketFor('C:\\run', 'C:\\Users\\me\\AppData\\Roaming\\Mailbridge', 'win32');
    const b = localSocketFor('C:\\run', 'C:\\Users\\other\\AppData\\Roaming\\Mailbridge', 'win32');
    expect(a.transport).toBe('pipe');
    expect(a.path).toMatch(/^\\\\\.\\pipe\\mailbridge-[0-9a-f]{16}$/);
    expect(b.path).not.toBe(a.path);
    // Windows paths are case-insensitive: the same directory spelled differently is the same pipe.
    expect(localSocketFor('C:\\run', 'c:\\users\\ME\\appdata\\roaming\\mailbridge', 'win32').path).toBe(a.path);
  });
});

describe('removeStaleSocket', () => {
  it('refuses to delete something that is not a socket', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-sock-'));
    try {
      const file = path.join(dir, 'mailbridge.sock');
      fs.writeFileSync(file, 'precious');
      await expect(removeStaleSocket(file)).rejects.toThrow(/not a socket/);
      expect(fs.readFileSync(file, 'utf8')).toBe('precious');
      await expect(removeStaleSocket(path.join(dir, 'absent.sock'))).resolves.toBeUndefined();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
