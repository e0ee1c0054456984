// Runs against the fake 'electron' module: the Electron runtime cannot be had on this machine.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { applyLaunchAtLogin, type LoginItemHost } from '../../electron/login-item.ts';
import { app, resetFakeElectron } from './fake-electron.ts';

vi.mock('electron', () => import('./fake-electron.ts'));

describe('applyLaunchAtLogin', () => {
  let home: string;
  beforeEach(() => {
    resetFakeElectron();
    app.isPackaged = true;
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-login-'));
  });
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

  const host = (platform: NodeJS.Platform, env: NodeJS.ProcessEnv = {}): LoginItemHost => ({
    platform,
    env,
    home,
    execPath: '/opt/Mailbridge/mailbridge',
  });
  const entry = () => path.join(home, '.config', 'autostart', 'mailbridge.desktop');

  it('uses the OS login items on macOS and Windows', () => {
    for (const platform of ['darwin', 'win32'] as const) {
      expect(applyLaunchAtLogin(true, host(platform))).toBe(true);
      expect(app.setLoginItemSettings).toHaveBeenLastCalledWith({ openAtLogin: true });
      applyLaunchAtLogin(false, host(platform));
      expect(app.setLoginItemSettings).toHaveBeenLastCalledWith({ openAtLogin: false });
    }
    expect(fs.existsSync(entry())).toBe(false);
  });

  it('writes and removes an XDG autostart entry on Linux', () => {
    applyLaunchAtLogin(true, host('linux'));
    expect(fs.readFileSync(entry(), 'utf8')).toContain('Exec=/opt/Mailbridge/mailbridge\n');
    applyLaunchAtLogin(false, host('linux'));
    expect(fs.existsSync(entry())).toBe(false);
    applyLaunchAtLogin(false, host('linux'));
    expect(app.setLoginItemSettings).not.toHaveBeenCalled();
  });

  it('starts the AppImage itself, not the path it is mounted at this time', () => {
    applyLaunchAtLogin(true, host('linux', { APPIMAGE: '/home/jane/Apps/Mailbridge.AppImage' }));
    expect(fs.readFileSync(entry(), 'utf8')).toContain('Exec=/home/jane/Apps/Mailbridge.AppImage\n');
  });

  it('registers nothing from an unpackaged run, which would start the bare Electron binary', () => {
    app.isPackaged = false;
    expect(applyLaunchAtLogin(true, host('linux'))).toBe(false);
    expect(applyLaunchAtLogin(true, host('darwin'))).toBe(false);
    expect(fs.existsSync(entry())).toBe(false);
    expect(app.setLoginItemSettings).not.toHaveBeenCalled();
  });
});
