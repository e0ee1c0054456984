// The engine as most tests start it: a temp data dir, no upstream unless given, a free port, no Unix socket,
// no retention, and a silent log.
import type { DaemonOptions } from '../../daemon/daemon.ts';
import { createLogger } from '../../daemon/log.ts';

export function testDaemonOptions(dataDir: string, overrides: Partial<DaemonOptions> = {}): DaemonOptions {
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
    ...overrides,
  };
}
