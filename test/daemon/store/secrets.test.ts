import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SecretStore } from '../../../daemon/store/secrets.ts';

// Runs against the real OS keychain (test/with-keychain.sh provides a private, unlocked one).
let service: string;
let used: SecretStore[] = [];
const accounts = ['work', 'home', 'mailbridge-keychain-probe'];

function store(name = service): SecretStore {
  const secrets = new SecretStore(name);
  used.push(secrets);
  return secrets;
}

beforeEach(() => {
  service = `mailbridge-test-${process.pid}-${Math.random().toString(36).slice(2)}`;
});

afterEach(() => {
  for (const secrets of used) for (const account of accounts) secrets.delete(account);
  used = [];
});

describe('SecretStore', () => {
  it('stores, reads back, replaces and deletes a key', () => {
    const secrets = store();
    expect(secrets.get('work')).toBeNull();
    secrets.set('work', 'om_live_first');
    expect(secrets.get('work')).toBe('om_live_first');
    secrets.set('work', 'om_live_second');
    expect(new SecretStore(service).get('work')).toBe('om_live_second');
    expect(secrets.delete('work')).toBe(true);
    expect(secrets.get('work')).toBeNull();
    expect(secrets.delete('work')).toBe(false);
  });

  it('keeps accounts and services apart', () => {
    const mine = store();
    const other = store(`${service}-other`);
    mine.set('work', 'key-work');
    mine.set('home', 'key-home');
    expect(mine.get('home')).toBe('key-home');
    expect(other.get('work')).toBeNull();
  });

  it('reports a working keychain from the probe and leaves no probe entry behind', () => {
    const secrets = store();
    expect(secrets.probe()).toEqual({ ok: true });
    expect(secrets.get('mailbridge-keychain-probe')).toBeNull();
  });

  it('refuses an empty account or an empty key', () => {
    const secrets = store();
    expect(() => secrets.set('', 'k')).toThrow(TypeError);
    expect(() => secrets.set('work', '')).toThrow(TypeError);
    expect(() => secrets.get('')).toThrow(TypeError);
  });
});

describe('without a usable keychain', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-secrets-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('says clearly that the keychain is unavailable and that the key will not be stored in plain text', async () => {
    const child = fileURLToPath(new URL('./keychain-child.ts', import.meta.url));
    const secret = 'om_live_must_never_be_printed';
    const { stdout } = await promisify(execFile)(process.execPath, [child, service, secret], {
      env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: `unix:path=${path.join(dir, 'no-such-bus')}` },
    });
    expect(stdout).not.toContain(secret);
    const result = JSON.parse(stdout) as Record<string, { ok: boolean; name?: string; message?: string; reason?: string }>;
    for (const operation of ['set', 'get', 'delete']) {
      expect(result[operation], operation).toMatchObject({ ok: false, name: 'KeychainUnavailableError' });
      expect(result[operation]?.message).toMatch(/keychain is unavailable/);
      expect(result[operation]?.message).toMatch(/refuses to store the API key in plain text/);
      expect(result[operation]?.message).toMatch(/MAILBRIDGE_API_KEY/);
    }
    expect(result.probe).toMatchObject({ ok: false, reason: expect.stringMatching(/keychain is unavailable/) });
  });
});
