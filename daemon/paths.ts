// Where Mailbridge keeps its data. The default matches Electron's `userData` for an app named "Mailbridge",
// so the tray app and `mailbridge run` share one store (and the instance lock keeps them from running twice).
import os from 'node:os';
import path from 'node:path';

export const APP_NAME = 'Mailbridge';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = os.homedir()): string {
  if (env.MAILBRIDGE_DATA_DIR) return path.resolve(env.MAILBRIDGE_DATA_DIR);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', APP_NAME);
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), APP_NAME);
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), APP_NAME);
}

export interface DataPaths {
  dir: string;
  database: string;
  /** Holds the Unix socket; 0700 so only this user can connect without a token. */
  socketDir: string;
  /** Kept attachments, each file named by the SHA-256 of its bytes; 0700, every file 0600. */
  attachmentsDir: string;
}

export function dataPaths(dir: string): DataPaths {
  return { dir, database: path.join(dir, 'events.db'), socketDir: path.join(dir, 'run'), attachmentsDir: path.join(dir, 'attachments') };
}
