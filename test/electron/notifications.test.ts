// Runs against the fake 'electron' module: the Electron runtime cannot be had on this machine.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { appFiles } from '../../electron/app-files.ts';
import { NativeNotifications } from '../../electron/notifications.ts';
import { MainWindow } from '../../electron/window.ts';
import { BrowserWindow, Notification, resetFakeElectron } from './fake-electron.ts';

vi.mock('electron', () => import('./fake-electron.ts'));

describe('NativeNotifications', () => {
  beforeEach(() => resetFakeElectron());

  function setup() {
    const window = new MainWindow({ files: appFiles('/opt/mailbridge'), platform: 'linux', onSeen: () => {}, report: () => {} });
    const notifications = new NativeNotifications('/opt/mailbridge/build/icons/app.png', (target) =>
      window.show(target.kind === 'event' ? target.seq : undefined),
    );
    return { window, notifications };
  }

  it('shows a native notification with the notice text and the icon', () => {
    const { notifications } = setup();
    notifications.show({ title: 'Jane Doe', body: 'Re: Your order\nThanks', target: { kind: 'event', seq: 7 } });
    expect(Notification.shown.map((n) => n.options)).toEqual([
      { title: 'Jane Doe', body: 'Re: Your order\nThanks', icon: '/opt/mailbridge/build/icons/app.png' },
    ]);
  });

  it('opens the window on that mail when clicked (event:show with its seq)', () => {
    const { notifications } = setup();
    notifications.show({ title: 'Jane Doe', body: 'Hi', target: { kind: 'event', seq: 7 } });
    Notification.shown[0]!.emit('click');
    const window = BrowserWindow.instances[0]!;
    window.webContents.emit('did-finish-load');
    expect(window.webContents.send).toHaveBeenCalledWith('event:show', 7);
  });

  it('opens the window on the list for a summary', () => {
    const { notifications } = setup();
    notifications.show({ title: '3 new messages', body: 'From a, b and c', target: { kind: 'list' } });
    Notification.shown[0]!.emit('click');
    const window = BrowserWindow.instances[0]!;
    window.webContents.emit('did-finish-load');
    window.emit('ready-to-show');
    expect(window.show).toHaveBeenCalled();
    expect(window.webContents.send).not.toHaveBeenCalledWith('event:show', expect.anything());
  });

  it('shows nothing where the platform has no notifications', () => {
    Notification.supported = false;
    setup().notifications.show({ title: 't', body: 'b', target: { kind: 'list' } });
    expect(Notification.shown).toEqual([]);
  });
});
