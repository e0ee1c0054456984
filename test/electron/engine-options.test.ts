import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/settings.ts';
import { createLogger } from '../../daemon/log.ts';
import { KeychainUnavailableError } from '../../daemon/store/secrets.ts';
import { engineOptions, type SecretReader } from '../../electron/engine-options.ts';

function settings(overrides: Partial<Settings>): Settings {
  return { ...structuredClone(DEFAULT_SETTINGS), ...overrides };
}

function logger() {
  const lines: string[] = [];
  return { lines, log: createLogger('debug', (line) => lines.push(line)) };
}

const account = (name: string) => ({ name, provider: 'openmail' as const, inboxIds: [], eventTypes: [] });
const target = (id: string) => ({ id, url: 'http://127.0.0.1:8080/hook', inboxIds: [], eventTypes: [] });

describe('engineOptions', () => {
  it('runs the engine in Electron: userData, settings port and retention, no demo, no timer-based wake detection', () => {
    const { log } = logger();
    const options = engineOptions({ dataDir: '/user-data', settings: settings({ port: 5000 }), secrets: { get: () => null }, log, dashboardDir: null });
    expect(options).toMatchObject({
      dataDir: '/user-data',
      port: 5000,
      demo: null,
      unixSocket: true,
      forwardTargets: [],
      dashboardDir: null,
      retention: DEFAULT_SETTINGS.retention,
      detectWakeFromTimers: false,
    });
  });

  it('gives each account its key from the keychain and masks the key in the log', () => {
    const { lines, log } = logger();
    const keys: Record<string, string> = { work: 'om_live_0123456789abcdef' };
    const options = engineOptions({
      dataDir: '/d',
      settings: settings({ accounts: [account('work'), account('home')] }),
      secrets: { get: (name) => keys[name] ?? null },
      log,
      dashboardDir: null,
    });
    expect(options.accounts.map((a) => [a.name, a.apiKey])).toEqual([
      ['work', 'om_live_0123456789abcdef'],
      ['home', null],
    ]);
    log.info('upstream said: bad key om_live_0123456789abcdef');
    expect(lines.at(-1)).not.toContain('om_live_0123456789abcdef');
  });

  it('leaves accounts waiting for a key when the keychain is locked, instead of failing', () => {
    const { lines, log } = logger();
    const locked: SecretReader = {
      get: () => {
        throw new KeychainUnavailableError('the collection is locked');
      },
    };
    const options = engineOptions({ dataDir: '/d', settings: settings({ accounts: [account('work')], forwardTargets: [target('fwd_1')] }), secrets: locked, log, dashboardDir: null });
    expect(options.accounts[0]!.apiKey).toBeNull();
    expect(options.settingsForwardTargets).toEqual([]);
    expect(lines.some((line) => line.includes('could not read'))).toBe(true);
  });

  it('gives forward targets their signing secret, and skips one without', () => {
    const { lines, log } = logger();
    const options = engineOptions({
      dataDir: '/d',
      settings: settings({ forwardTargets: [target('fwd_1'), target('fwd_2')] }),
      secrets: { get: (name) => (name === 'forward:fwd_1' ? 'whsec_abc' : null) },
      log,
      dashboardDir: '/app/dist/renderer',
    });
    expect(options.settingsForwardTargets).toEqual([{ ...target('fwd_1'), secret: 'whsec_abc' }]);
    expect(lines.some((line) => line.includes('skipped until added again'))).toBe(true);
    expect(options.dashboardDir).toBe('/app/dist/renderer');
  });

  it('publishes to NATS as settings say, with the credentials from the keychain, under the engine name set', () => {
    const { log } = logger();
    const nats = { url: 'nats://broker:4222', user: 'pub', stream: 'MAILBRIDGE', subjectPrefix: 'mailbridge', maxAgeDays: 30, maxBytes: null };
    const keys: Record<string, string> = { 'nats:credentials': 'pw' };
    const options = engineOptions({ dataDir: '/d', settings: settings({ nats, engineName: 'desk' }), secrets: { get: (name) => keys[name] ?? null }, log, dashboardDir: null });
    expect(options.natsSink).toEqual({ ...nats, credentials: 'pw' });
    expect(options.engineName).toBe('desk');
    const off = engineOptions({ dataDir: '/d', settings: settings({}), secrets: { get: () => null }, log, dashboardDir: null });
    expect(off.natsSink).toBeNull();
    expect(off.engineName).toBeUndefined();
  });
});
