import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_FORWARD_DELIVERY } from '../../../shared/forward-delivery.ts';
import { DEFAULT_SETTINGS, type Settings } from '../../../shared/settings.ts';
import { InvalidSettingsError, openSettings } from '../../../daemon/store/settings.ts';

let root: string;
let dir: string;
const mode = (file: string) => fs.statSync(file).mode & 0o777;

const account = { name: 'work', provider: 'openmail' as const, inboxIds: ['inb_1'], eventTypes: [] };
const hookTarget = { id: 'hook', url: 'http://127.0.0.1:8787/hook', inboxIds: [], eventTypes: [] };

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-settings-'));
  dir = path.join(root, 'config');
});

afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

describe('openSettings', () => {
  it('starts from the defaults', () => {
    expect(openSettings(dir).get()).toEqual(DEFAULT_SETTINGS);
  });

  it('writes settings.json owner-only inside an owner-only directory', () => {
    const settings = openSettings(dir);
    settings.set('launchAtLogin', true);
    expect(settings.path).toBe(path.join(dir, 'settings.json'));
    expect(mode(dir)).toBe(0o700);
    expect(mode(settings.path)).toBe(0o600);
  });

  it('sets and reads the whole object and single parts, and keeps them across reopening', () => {
    const settings = openSettings(dir);
    settings.set('accounts', [account]);
    settings.set('retention', { maxAgeDays: null, maxEvents: 500 });
    const next: Settings = { ...settings.get(), port: 5000 };
    settings.set(next);
    const reopened = openSettings(dir);
    expect(reopened.get()).toEqual({ ...DEFAULT_SETTINGS, accounts: [account], retention: { maxAgeDays: null, maxEvents: 500 }, port: 5000 });
    expect(reopened.get('accounts')).toEqual([account]);
  });

  it('updates by read-modify-write and returns what was stored', () => {
    const settings = openSettings(dir);
    const stored = settings.update((current) => ({ ...current, notifications: { ...current.notifications, mutedInboxes: ['inb_9'] } }));
    expect(stored.notifications.mutedInboxes).toEqual(['inb_9']);
    expect(openSettings(dir).get('notifications').mutedInboxes).toEqual(['inb_9']);
  });

  it('hands out copies, so changing a returned object changes nothing stored', () => {
    const settings = openSettings(dir);
    settings.get().accounts.push(account);
    settings.get('notifications').mutedInboxes.push('x');
    expect(settings.get()).toEqual(DEFAULT_SETTINGS);
    expect(DEFAULT_SETTINGS.accounts).toEqual([]);
  });

  it('refuses values outside the schema with a clear error and leaves the file as it was', () => {
    const settings = openSettings(dir);
    settings.set('port', 4000);
    const before = fs.readFileSync(settings.path, 'utf8');
    const bad: [string, () => void][] = [
      ['port', () => settings.set('port', 70_000)],
      ['port', () => settings.set('port', '4319' as unknown as number)],
      ['provider', () => settings.set('accounts', [{ ...account, provider: 'gmail' as 'openmail' }])],
      ['name', () => settings.set('accounts', [{ ...account, name: 'has space' }])],
      ['url', () => settings.set('accounts', [{ ...account, url: 'http://api.openmail.sh/v1/ws' }])],
      ['apiUrl', () => settings.set('accounts', [{ ...account, apiUrl: 'wss://api.openmail.sh' }])],
      ['url', () => settings.set('forwardTargets', [{ id: 'hook', url: 'ftp://localhost/x', inboxIds: [], eventTypes: [] }])],
      ['concurrency', () => settings.set('forwardTargets', [{ ...hookTarget, delivery: { ...DEFAULT_FORWARD_DELIVERY, concurrency: 0 } }])],
      ['retry', () => settings.set('forwardTargets', [{ ...hookTarget, delivery: { ...DEFAULT_FORWARD_DELIVERY, retry: 'often' as 'local' } }])],
      ['maxAgeDays', () => settings.set('retention', { maxAgeDays: 0, maxEvents: null })],
      ['pausedUntil', () => settings.set('notifications', { enabled: true, mutedInboxes: [], pausedUntil: 'tomorrow' })],
      ['launchAtLogin', () => settings.set('launchAtLogin', 'yes' as unknown as boolean)],
    ];
    for (const [field, write] of bad) {
      expect(write, field).toThrow(InvalidSettingsError);
      expect(write, field).toThrow(new RegExp(field));
    }
    expect(fs.readFileSync(settings.path, 'utf8')).toBe(before);
  });

  it('keeps a forward target with or without delivery options (targets stored before they existed have none)', () => {
    const settings = openSettings(dir);
    const tuned = { ...hookTarget, id: 'tuned', delivery: { ...DEFAULT_FORWARD_DELIVERY, order: 'unordered' as const, maxAgeSeconds: null } };
    settings.set('forwardTargets', [hookTarget, tuned]);
    expect(openSettings(dir).get('forwardTargets')).toEqual([hookTarget, tuned]);
  });

  it('refuses an account that carries an API key, pointing at the keychain, and never writes the key', () => {
    const settings = openSettings(dir);
    const withKey = { ...account, apiKey: 'om_live_secret_value' };
    expect(() => settings.set('accounts', [withKey])).toThrow(/accounts\[0\]\.apiKey.*keychain/);
    const withSecret = { id: 'hook', url: 'http://127.0.0.1:9000/', inboxIds: [], eventTypes: [], secret: 's3' };
    expect(() => settings.set('forwardTargets', [withSecret])).toThrow(/forwardTargets\[0\]\.secret/);
    expect(fs.existsSync(settings.path) ? fs.readFileSync(settings.path, 'utf8') : '').not.toContain('om_live_secret_value');
  });

  it('refuses URLs that carry credentials in the query or the user info', () => {
    const settings = openSettings(dir);
    for (const url of ['wss://api.openmail.sh/v1/ws?token=om_live_x', 'wss://myagentmail.com/v1/ws?api_key=k', 'wss://user:pw@api.openmail.sh/v1/ws']) {
      expect(() => settings.set('accounts', [{ ...account, url }]), url).toThrow(/credentials/);
    }
    expect(() => settings.set('accounts', [{ ...account, apiUrl: 'https://user:pw@api.openmail.sh' }])).toThrow(/credentials/);
    settings.set('accounts', [{ ...account, url: 'wss://ws.agentmail.eu/v0?region=eu', apiUrl: 'https://api.agentmail.eu' }]);
    expect(settings.get('accounts')[0]?.url).toBe('wss://ws.agentmail.eu/v0?region=eu');
    expect(settings.get('accounts')[0]?.apiUrl).toBe('https://api.agentmail.eu');
  });

  it('keeps the NATS sink and the engine name, refusing credentials in its URL, other schemes and unknown fields', () => {
    const settings = openSettings(dir);
    const nats = { url: 'nats://broker.example.com:4222', user: 'pub', stream: 'MAILBRIDGE', subjectPrefix: 'mailbridge', maxAgeDays: 30, maxBytes: null };
    settings.update((current) => ({ ...current, nats, engineName: 'laptop-a' }));
    expect(openSettings(dir).get()).toMatchObject({ nats, engineName: 'laptop-a' });
    expect(() => settings.set('nats', { ...nats, url: 'nats://pub:pw@broker.example.com:4222' })).toThrow(/credentials/);
    expect(() => settings.set('nats', { ...nats, url: 'http://broker.example.com' })).toThrow(InvalidSettingsError);
    expect(() => settings.set('nats', { ...nats, subjectPrefix: 'mail.>' })).toThrow(InvalidSettingsError);
    expect(() => settings.set('nats', { ...nats, password: 'pw' } as typeof nats)).toThrow(/credential/);
    expect(() => settings.set('engineName', 'has space')).toThrow(InvalidSettingsError);
    expect(settings.get('nats')).toEqual(nats);
  });

  it('refuses two accounts with the same name and two forward targets with the same id', () => {
    const settings = openSettings(dir);
    expect(() => settings.set('accounts', [account, { ...account, provider: 'agentmail' }])).toThrow(/Duplicate account name/);
    const hook = { id: 'hook', url: 'http://127.0.0.1:9000/', inboxIds: [], eventTypes: [] };
    expect(() => settings.set('forwardTargets', [hook, hook])).toThrow(/Duplicate forward target id/);
  });

  it('tells listeners about every change, with the previous value, until they unsubscribe', () => {
    const settings = openSettings(dir);
    const seen: [number, number | undefined][] = [];
    const unsubscribe = settings.onDidAnyChange((next, previous) => seen.push([next.port, previous?.port]));
    settings.set('port', 5001);
    settings.set('port', 5002);
    unsubscribe();
    settings.set('port', 5003);
    expect(seen).toEqual([
      [5001, DEFAULT_SETTINGS.port],
      [5002, 5001],
    ]);
  });

  it('refuses a hand-edited file that breaks the schema instead of silently resetting it', () => {
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'settings.json');
    const broken = JSON.stringify({ ...DEFAULT_SETTINGS, port: 'not a port' });
    fs.writeFileSync(file, broken);
    expect(() => openSettings(dir).get()).toThrow(InvalidSettingsError);
    expect(fs.readFileSync(file, 'utf8')).toBe(broken);
  });
});
