// The engine as the tray app runs it: accounts and forward targets from settings, their secrets from the OS
// keychain, Electron's userData as the data dir, and powerMonitor (not timers) for sleep detection.
import type { Settings } from '../shared/settings.ts';
import { forwardTargetsFromSettings } from '../daemon/control.ts';
import type { AccountRuntime, DaemonOptions } from '../daemon/daemon.ts';
import { errorMessage, type Logger } from '../daemon/log.ts';
import { natsSinkFromSettings } from '../daemon/nats/sink-settings.ts';

export interface SecretReader {
  get(account: string): string | null;
}

export interface EngineInputs {
  dataDir: string;
  settings: Settings;
  secrets: SecretReader;
  log: Logger;
  /** The built window, also served to browsers by the local endpoint; null when not built. */
  dashboardDir: string | null;
}

export function engineOptions({ dataDir, settings, secrets, log, dashboardDir }: EngineInputs): DaemonOptions {
  return {
    dataDir,
    accounts: settings.accounts.map((account): AccountRuntime => ({ ...account, apiKey: readSecret(secrets, account.name, log) })),
    // No simulated mail in the tray app: with no account the tray asks for one instead of notifying about samples.
    demo: null,
    port: settings.port,
    unixSocket: true,
    forwardTargets: [],
    settingsForwardTargets: forwardTargetsFromSettings(settings.forwardTargets, secrets, (message) => log.warn(message)),
    dashboardDir,
    retention: settings.retention,
    attachments: settings.attachments,
    log,
    detectWakeFromTimers: false,
    // ---- Publishing to NATS JetStream
    natsSink: natsSinkFromSettings(settings.nats, secrets, (message) => log.warn(message)),
    ...(settings.engineName === null ? {} : { engineName: settings.engineName }),
  };
}

/** A locked or missing keychain leaves the account waiting for its key (`needs_key`) rather than failing the app. */
function readSecret(secrets: SecretReader, name: string, log: Logger): string | null {
  let secret: string | null;
  try {
    secret = secrets.get(name);
  } catch (error) {
    log.warn(`could not read '${name}' from the keychain: ${errorMessage(error)}`);
    return null;
  }
  if (secret) log.redact(secret);
  return secret;
}
