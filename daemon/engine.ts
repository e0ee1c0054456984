// The engine as both shells start it (`mailbridge run` and the tray app): the Daemon, the one Control over it
// (settings and keychain), and the local endpoint serving its routes, all fixed at start.
import { Control } from './control.ts';
import { Daemon, type DaemonOptions } from './daemon.ts';
import type { SecretStore } from './store/secrets.ts';
import type { SettingsStore } from './store/settings.ts';

export interface EngineOptions extends DaemonOptions {
  settings: SettingsStore;
  secrets: SecretStore;
}

export interface Engine {
  daemon: Daemon;
  control: Control;
}

export async function startEngine(options: EngineOptions): Promise<Engine> {
  const { settings, secrets, ...daemonOptions } = options;
  // Daemon.start calls the factory before its endpoint listens, so control is set once start resolves.
  let control!: Control;
  const daemon = await Daemon.start(daemonOptions, (started) => (control = new Control(started, settings, secrets)));
  return { daemon, control };
}
