// Runs against the fake 'electron' module: the Electron runtime cannot be had on this machine.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { appFiles } from '../../electron/app-files.ts';
import { MainWindow } from '../../electron/window.ts';
import { CONTENT_SECURITY_POLICY } from '../../shared/csp.ts';
import { BrowserWindow, app, dialog, fakeEvent, resetFakeElectron, type session, shell } from './fake-electron.ts';

vi.mock('electron', () => import('./fake-electron.ts'));

const files = appFiles('/opt/mailbridge');

function open(platform: NodeJS.Platform = 'linux') {
  const onSeen = vi.fn();
  const report = vi.fn();
  const window = new MainWindow({ files, platform, onSeen, report });
  window.show();
  const created = BrowserWindow.instances.at(-1)!;
  return { window, created, onSeen, report };
}

describe('MainWindow', () => {
  beforeEach(() => resetFakeElectron());

  it('is sandboxed and isolated, with no Node, web security on, and our preload', () => {
    const { created } = open();
    expect(created.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      preload: files.preload,
    });
  });

  it('loads the built renderer from its file:// URL and shows once ready', () => {
    const { created, onSeen } = open();
    expect(created.url).toBe(files.rendererUrl);
    expect(created.url).toMatch(/^file:\/\/.*\/dist\/renderer\/index\.html$/);
    expect(created.show).not.toHaveBeenCalled();
    created.emit('ready-to-show');
    expect(created.show).toHaveBeenCalled();
    expect(created.focus).toHaveBeenCalled();
    expect(onSeen).toHaveBeenCalled();
  });

  it('blocks every navigation and offers http(s) links to the browser after confirmation', async () => {
    const { created } = open();
    const navigation = fakeEvent({ url: 'https://openmail.sh/docs' });
    created.webContents.emit('will-navigate', navigation);
    expect(navigation.defaultPrevented).toBe(true);
    await vi.waitFor(() => expect(shell.openExternal).toHaveBeenCalledWith('https://openmail.sh/docs'));
    expect(dialog.showMessageBox).toHaveBeenCalledWith(created, expect.objectContaining({ detail: 'https://openmail.sh/docs' }));
  });

  it('opens nothing when the person cancels, and never opens other schemes', async () => {
    const { created } = open();
    dialog.answer = 1;
    created.webContents.emit('will-navigate', fakeEvent({ url: 'https://openmail.sh/docs' }));
    const local = fakeEvent({ url: 'file:///etc/passwd' });
    created.webContents.emit('will-navigate', local);
    expect(local.defaultPrevented).toBe(true);
    await vi.waitFor(() => expect(dialog.showMessageBox).toHaveBeenCalledTimes(1));
    expect(shell.openExternal).not.toHaveBeenCalled();
  });

  it('denies every new window; a link target goes through the same confirmation', async () => {
    const { created } = open();
    expect(created.webContents.openHandler!({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    expect(created.webContents.openHandler!({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    await vi.waitFor(() => expect(shell.openExternal).toHaveBeenCalledWith('https://example.com/'));
    expect(shell.openExternal).toHaveBeenCalledTimes(1);
  });

  it('reports a page that fails to load and a link that fails to open, instead of leaving the rejection unhandled', async () => {
    BrowserWindow.failLoads = true;
    const { created, report } = open();
    shell.openExternal.mockRejectedValueOnce(new Error('no handler'));
    created.webContents.emit('will-navigate', fakeEvent({ url: 'https://example.com/' }));
    await vi.waitFor(() => expect(report).toHaveBeenCalledTimes(2));
    expect(report.mock.calls.map(([error]) => (error as Error).message).sort()).toEqual(['ERR_FILE_NOT_FOUND', 'no handler']);
  });

  it('refuses webviews', () => {
    const { created } = open();
    const attach = fakeEvent();
    created.webContents.emit('will-attach-webview', attach);
    expect(attach.defaultPrevented).toBe(true);
  });

  it('sets the CSP header, confines file reads to the renderer, and grants no permission', () => {
    const { created } = open();
    const windowSession = created.options.webPreferences.session as ReturnType<typeof session.fromPartition>;
    const headers = vi.fn();
    windowSession.headersReceived!({ url: files.rendererUrl, responseHeaders: {} }, headers);
    expect(headers).toHaveBeenCalledWith({ responseHeaders: { 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
    const request = vi.fn();
    windowSession.beforeRequest!({ url: files.rendererUrl }, request);
    windowSession.beforeRequest!({ url: 'file:///etc/passwd' }, request);
    windowSession.beforeRequest!({ url: 'https://tracker.example/p.gif' }, request);
    expect(request.mock.calls.map(([response]) => response)).toEqual([{ cancel: false }, { cancel: true }, { cancel: true }]);
    const permission = vi.fn();
    windowSession.permissionRequest!({}, 'notifications', permission);
    expect(permission).toHaveBeenCalledWith(false);
    expect(windowSession.permissionCheck!()).toBe(false);
  });

  it('hides the menu bar except on macOS, where the Edit menu makes copy and paste work', () => {
    expect(open('linux').created.removeMenu).toHaveBeenCalled();
    expect(open('win32').created.removeMenu).toHaveBeenCalled();
    expect(open('darwin').created.removeMenu).not.toHaveBeenCalled();
  });

  it('takes focus explicitly on macOS, where the app has no Dock icon', () => {
    const { window, created } = open('darwin');
    window.show();
    expect(app.focus).toHaveBeenCalledWith({ steal: true });
    expect(created.focus).toHaveBeenCalled();
  });

  it('reuses the open window: restores, shows and focuses it', () => {
    const { window, created } = open();
    created.minimized = true;
    window.show();
    expect(BrowserWindow.instances).toHaveLength(1);
    expect(created.restore).toHaveBeenCalled();
    expect(created.show).toHaveBeenCalled();
    expect(created.focus).toHaveBeenCalled();
  });

  it('shows a mail in a new window once the page has loaded, and at once in a loaded one', () => {
    const window = new MainWindow({ files, platform: 'linux', onSeen: () => {}, report: () => {} });
    window.show(42);
    const created = BrowserWindow.instances[0]!;
    expect(created.webContents.send).not.toHaveBeenCalled();
    created.webContents.emit('did-finish-load');
    expect(created.webContents.send).toHaveBeenCalledWith('event:show', 42);
    window.show(43);
    expect(created.webContents.send).toHaveBeenLastCalledWith('event:show', 43);
  });

  it('pushes engine updates only to a loaded window, and makes a new one after close', () => {
    const { window, created } = open();
    window.send('status:changed', {} as never);
    expect(created.webContents.send).not.toHaveBeenCalled();
    created.webContents.emit('did-finish-load');
    window.send('events:committed', []);
    expect(created.webContents.send).toHaveBeenCalledWith('events:committed', []);
    created.destroy();
    expect(window.current).toBeNull();
    window.show();
    expect(BrowserWindow.instances).toHaveLength(2);
  });

  it('reports focus as the person looking at the window', () => {
    const { created, onSeen } = open();
    onSeen.mockClear();
    created.emit('focus');
    expect(onSeen).toHaveBeenCalledTimes(1);
  });
});
