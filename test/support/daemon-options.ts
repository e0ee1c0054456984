// The engine as most tests start it: a temp data dir, no upstream unless given, a free port, no Unix socket,
// no retention, a silent log, settings in the data dir and a keychain service of the test's own.
import type { EngineOptions } from '../../daemon/engine.ts';
import { createLogger } from '../../daemon/log.ts';
import { SecretStore } from '../../daemon/store/secrets.ts';
import { openSettings } from '../../daemon/store/settings.ts';

export function testDaemonOptions(dataDir: string, overrides: Partial<EngineOptions> = {}): EngineOptions {
  return {
    dataDir,
    accounts: [],
    demo: null,
    port: 0,
    unixSocket: false,
    forwardTargets: [],
    settingsForwardTargets: [],
    dashboardDir: null,
    retention: { maxAgeDays: null, maxEvents: null },
    log: createLogger('error', () => {}),
    detectWakeFromTimers: false,
    settings: openSettings(dataDir),
    secrets: new SecretStore(`mailbridge-test-${process.pid}`),
    ...overrides,
  };
}
