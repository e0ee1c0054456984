// Runs against the fake 'electron' module: the Electron runtime cannot be had on this machine.
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { TrayIcon, menuTemplate } from '../../electron/tray.ts';
import type { TrayView } from '../../electron/tray-presenter.ts';
import { Tray, resetFakeElectron } from './fake-electron.ts';

vi.mock('electron', () => import('./fake-electron.ts'));

const view = (overrides: Partial<TrayView> = {}): TrayView => ({
  icon: 'live',
  tooltip: 'Mailbridge: live',
  title: '3',
  menu: [
    { type: 'label', label: 'work: live' },
    { type: 'separator' },
    { type: 'action', label: 'Tom & Jerry: Q&A', action: { type: 'show-mail', seq: 9 }, enabled: true },
    { type: 'submenu', label: 'Pause notifications', items: [{ type: 'action', label: 'Resume notifications', action: { type: 'resume-notifications' }, enabled: false }] },
  ],
  ...overrides,
});

describe('TrayIcon', () => {
  beforeEach(() => resetFakeElectron());

  it('uses template images on macOS and coloured ones elsewhere', () => {
    new TrayIcon('/icons', 'darwin', view(), () => {});
    new TrayIcon('/icons', 'linux', view({ icon: 'needs_key' }), () => {});
    expect(Tray.instances.map((t) => t.image)).toEqual([{ file: path.join('/icons', 'liveTemplate.png') }, { file: path.join('/icons', 'needs_key.png') }]);
  });

  it('draws tooltip, macOS title and menu, and swaps the icon when the state changes', () => {
    const icon = new TrayIcon('/icons', 'darwin', view(), () => {});
    const tray = Tray.instances[0]!;
    expect(tray.tooltip).toBe('Mailbridge: live');
    expect(tray.title).toBe('3');
    icon.render(view({ icon: 'offline', tooltip: 'Mailbridge: offline, retrying', title: '' }));
    expect(tray.image).toEqual({ file: path.join('/icons', 'offlineTemplate.png') });
    expect(tray.tooltip).toBe('Mailbridge: offline, retrying');
    expect(tray.title).toBe('');
  });

  it('sets no title outside macOS, and opens the window on a left click on Windows only', () => {
    const onAction = vi.fn();
    new TrayIcon('/icons', 'win32', view(), onAction);
    new TrayIcon('/icons', 'linux', view(), onAction);
    const [windows, linux] = Tray.instances;
    expect(windows!.title).toBe('');
    windows!.emit('click');
    expect(onAction).toHaveBeenCalledWith({ type: 'open' });
    expect(linux!.listenerCount('click')).toBe(0);
  });

  it('turns menu clicks into tray actions', () => {
    const onAction = vi.fn();
    new TrayIcon('/icons', 'linux', view(), onAction);
    const template = Tray.instances[0]!.menu!.template;
    template[2]!.click!();
    expect(onAction).toHaveBeenCalledWith({ type: 'show-mail', seq: 9 });
  });
});

describe('menuTemplate', () => {
  it('maps labels to disabled items, separators, actions and submenus, escaping & in text that is not ours', () => {
    expect(JSON.parse(JSON.stringify(menuTemplate(view().menu, () => {})))).toEqual([
      { label: 'work: live', enabled: false },
      { type: 'separator' },
      { label: 'Tom && Jerry: Q&&A', enabled: true },
      { label: 'Pause notifications', submenu: [{ label: 'Resume notifications', enabled: false }] },
    ]);
  });
});
