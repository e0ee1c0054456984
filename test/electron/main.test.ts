// The composition root, run for real against the engine (SQLite, local endpoint) with the fake 'electron'
// module standing in for the runtime, which cannot be had on this machine.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { StoredEvent } from '../../shared/event.ts';
import { IPC_CHANNELS, type IpcReply } from '../../shared/ipc.ts';
import type { DaemonStatus } from '../../shared/status.ts';
import { openSettings } from '../../daemon/store/settings.ts';
import { appFiles } from '../../electron/app-files.ts';
import { BrowserWindow, Notification, Tray, app, clipboard, ipcMain, powerMonitor, resetFakeElectron } from './fake-electron.ts';

vi.mock('electron', () => import('./fake-electron.ts'));

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const { rendererUrl } = appFiles(ROOT);

/** A call from the window: main answers with an IpcReply, whose result this unwraps. */
async function invoke(channel: string, request?: unknown): Promise<unknown> {
  const reply = (await ipcMain.invokeFrom(rendererUrl, channel, request)) as IpcReply<unknown>;
  if ('error' in reply) throw new Error(`${reply.error.code}: ${reply.error.message}`);
  return reply.result;
}
let userData: string;
/** Read in beforeAll: vitest clears mock call logs before each test. */
let startup: { lockRequested: boolean; dockHidden: boolean };

describe('electron/main.ts', () => {
  beforeAll(async () => {
    resetFakeElectron();
    userData = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-main-'));
    // Any free port: the default one may be taken by another Mailbridge on this machine.
    openSettings(userData).set('port', 0);
    vi.stubEnv('MAILBRIDGE_DATA_DIR', userData);
    app.appPath = ROOT;
    await import('../../electron/main.ts');
    await vi.waitFor(() => expect(ipcMain.handlers.size).toBe(IPC_CHANNELS.length), { timeout: 10_000 });
    startup = { lockRequested: app.requestSingleInstanceLock.mock.calls.length > 0, dockHidden: app.dock.hide.mock.calls.length > 0 };
  });

  afterAll(() => {
    vi.unstubAllEnvs();
    fs.rmSync(userData, { recursive: true, force: true });
  });

  it('takes the single-instance lock, hides the Dock icon and starts the engine in the shared data dir', async () => {
    expect(startup).toEqual({ lockRequested: true, dockHidden: true });
    expect(app.getPath('userData')).toBe(userData);
    const status = (await invoke('control:status')) as DaemonStatus;
    expect(status.dataDir).toBe(userData);
    expect(status.accounts).toEqual([]);
    expect(status.endpoint?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(fs.existsSync(path.join(userData, 'mailbridge.lock'))).toBe(true);
  });

  it('shows a tray that asks for an account', async () => {
    const tray = Tray.instances[0]!;
    await vi.waitFor(() => expect(tray.tooltip).toBe('Mailbridge: no account yet'));
    expect(tray.menu!.template[0]!.label).toBe('No account yet: open Mailbridge to add one');
  });

  it('refuses IPC from anywhere but the renderer page', async () => {
    await expect(ipcMain.invokeFrom('https://evil.example/', 'control:status')).rejects.toThrow(/refused/);
  });

  it('notifies about a new mail, counts it unread, and a click opens the window on it', async () => {
    const event = (await invoke('control:testEvent')) as StoredEvent;
    await vi.waitFor(() => expect(Notification.shown).toHaveLength(1), { timeout: 5_000 });
    expect(Notification.shown[0]!.options).toMatchObject({ title: 'mailbridge@localhost', body: expect.stringContaining('Test event from Mailbridge') });
    const tray = Tray.instances[0]!;
    await vi.waitFor(() => expect(tray.tooltip).toContain('1 unread'));
    expect(tray.menu!.template.some((item) => item.label === 'mailbridge@localhost: Test event from Mailbridge')).toBe(true);

    Notification.shown[0]!.emit('click');
    const window = BrowserWindow.instances[0]!;
    expect(window.url).toBe(rendererUrl);
    window.webContents.emit('did-finish-load');
    expect(window.webContents.send).toHaveBeenCalledWith('event:show', event.seq);
    window.emit('ready-to-show');
    await vi.waitFor(() => expect(tray.tooltip).toBe('Mailbridge: no account yet'));
  });

  it('pushes committed events to the open window; mail arriving while it has focus is not unread', async () => {
    const window = BrowserWindow.instances[0]!;
    expect(window.focused).toBe(true);
    const event = (await invoke('control:testEvent')) as StoredEvent;
    expect(window.webContents.send).toHaveBeenCalledWith('events:committed', [expect.objectContaining({ seq: event.seq })]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(Tray.instances[0]!.tooltip).toBe('Mailbridge: no account yet');
  });

  it('copies the local token from the endpoint token file', async () => {
    await invoke('token:copy');
    expect(clipboard.text).toBe(fs.readFileSync(path.join(userData, 'token'), 'utf8').trim());
  });

  it('pauses notifications from the tray menu', async () => {
    const tray = Tray.instances[0]!;
    const pause = tray.menu!.template.find((item) => item.label === 'Pause notifications')!;
    pause.submenu![0]!.click!();
    expect(openSettings(userData).get('notifications').pausedUntil).not.toBeNull();
    await vi.waitFor(() => expect(tray.tooltip).toMatch(/notifications paused until/));
    await invoke('control:updateSettings', { notifications: { enabled: true, mutedInboxes: [], pausedUntil: null } });
    await vi.waitFor(() => expect(tray.tooltip).toBe('Mailbridge: no account yet'));
  });

  it('focuses the window when a second instance starts, and survives power events', () => {
    const window = BrowserWindow.instances[0]!;
    window.focus.mockClear();
    app.emit('second-instance');
    expect(window.focus).toHaveBeenCalled();
    powerMonitor.emit('suspend');
    powerMonitor.emit('resume');
    expect(BrowserWindow.instances).toHaveLength(1);
  });

  it('stops the engine before quitting', async () => {
    app.quit();
    await vi.waitFor(() => expect(app.quitCount).toBe(1), { timeout: 10_000 });
    expect(fs.existsSync(path.join(userData, 'mailbridge.lock'))).toBe(false);
    expect(ipcMain.handlers.size).toBe(0);
    expect(Tray.instances[0]!.destroyed).toBe(true);
    expect(powerMonitor.listenerCount('resume')).toBe(0);
  });
});
