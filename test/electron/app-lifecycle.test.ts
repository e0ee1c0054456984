// Runs against the fake 'electron' module: the Electron runtime cannot be had on this machine.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { appFiles } from '../../electron/app-files.ts';
import { claimSingleInstance, stopBeforeQuit } from '../../electron/app-lifecycle.ts';
import { MainWindow } from '../../electron/window.ts';
import { BrowserWindow, app, resetFakeElectron } from './fake-electron.ts';

vi.mock('electron', () => import('./fake-electron.ts'));

describe('claimSingleInstance', () => {
  beforeEach(() => resetFakeElectron());

  it('focuses the window when a second instance is launched', () => {
    const window = new MainWindow({ files: appFiles('/opt/mailbridge'), platform: 'linux', onSeen: () => {}, report: () => {} });
    expect(claimSingleInstance(() => window.show())).toBe(true);
    window.show();
    const created = BrowserWindow.instances[0]!;
    created.minimized = true;
    app.emit('second-instance');
    expect(BrowserWindow.instances).toHaveLength(1);
    expect(created.restore).toHaveBeenCalled();
    expect(created.focus).toHaveBeenCalled();
  });

  it('tells the second instance to quit', () => {
    app.singleInstance = false;
    const onSecond = vi.fn();
    expect(claimSingleInstance(onSecond)).toBe(false);
    expect(app.listenerCount('second-instance')).toBe(0);
  });
});

describe('stopBeforeQuit', () => {
  beforeEach(() => resetFakeElectron());

  it('holds the quit until the engine has stopped, then quits once', async () => {
    let finish!: () => void;
    const stop = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    stopBeforeQuit(stop, () => {});
    app.quit();
    app.quit();
    expect(stop).toHaveBeenCalledTimes(1);
    expect(app.quitCount).toBe(0);
    finish();
    await vi.waitFor(() => expect(app.quitCount).toBe(1));
    expect(stop).toHaveBeenCalledTimes(1);
  });

  it('quits even when stopping fails, and reports the failure', async () => {
    const onError = vi.fn();
    stopBeforeQuit(async () => {
      throw new Error('disk gone');
    }, onError);
    app.quit();
    await vi.waitFor(() => expect(app.quitCount).toBe(1));
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: 'disk gone' }));
  });
});
