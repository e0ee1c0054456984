// Launch at login: the OS login items on macOS and Windows, an XDG autostart file on Linux.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { app } from 'electron';
import { autostartDesktopEntry, autostartFile } from './autostart-entry.ts';

export interface LoginItemHost {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  home: string;
  execPath: string;
}

const HOST: LoginItemHost = { platform: process.platform, env: process.env, home: os.homedir(), execPath: process.execPath };

/** Returns false when there is nothing to register: an unpackaged run would register the bare Electron binary. */
export function applyLaunchAtLogin(enabled: boolean, host: LoginItemHost = HOST): boolean {
  if (!app.isPackaged) return false;
  if (host.platform === 'linux') {
    const file = autostartFile(host.env, host.home);
    if (enabled) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, autostartDesktopEntry(host.env.APPIMAGE || host.execPath));
    } else {
      fs.rmSync(file, { force: true });
    }
    return true;
  }
  app.setLoginItemSettings({ openAtLogin: enabled });
  return true;
}
