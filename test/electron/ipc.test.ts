// Runs against the fake 'electron' module: the Electron runtime cannot be had on this machine.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ControlApi } from '../../shared/control.ts';
import { CodedError } from '../../shared/errors.ts';
import { IPC_CHANNELS, type IpcReply } from '../../shared/ipc.ts';
import { appFiles } from '../../electron/app-files.ts';
import { ipcHandlers, registerIpc, UntrustedSenderError, type ShellCalls } from '../../electron/ipc.ts';
import { ipcMain, resetFakeElectron } from './fake-electron.ts';
import { daemonStatus } from './fixtures.ts';

vi.mock('electron', () => import('./fake-electron.ts'));

const { rendererUrl } = appFiles('/opt/mailbridge');

function fakeControl(): { [M in keyof ControlApi]: ReturnType<typeof vi.fn> } & ControlApi {
  const answer = (value: unknown) => vi.fn(async () => value);
  return {
    status: answer(daemonStatus([])),
    history: answer({ items: [], next_before: null }),
    event: answer(null),
    settings: answer({}),
    updateSettings: answer({}),
    addAccount: answer({ ok: true, verified: true }),
    removeAccount: answer(undefined),
    addForwardTarget: answer({}),
    removeForwardTarget: answer(undefined),
    retryDelivery: answer(true),
    redeliver: answer(1),
    reconnect: answer(undefined),
    testEvent: answer({}),
    tokens: answer([]),
    createToken: answer({}),
    revokeToken: answer(true),
    audit: answer({ entries: [], next_before: null }),
  } as never;
}

function setup() {
  const control = fakeControl();
  const shell: ShellCalls = {
    copyToken: vi.fn(async () => {}),
    openExternal: vi.fn(async () => true),
    openAttachment: vi.fn(async () => true),
    saveAttachment: vi.fn(async () => false),
  };
  const unregister = registerIpc(ipcHandlers(control, shell), rendererUrl);
  return { control, shell, unregister };
}

describe('IPC handlers', () => {
  beforeEach(() => resetFakeElectron());

  it('registers a handler for every channel in IPC_CHANNELS, and only those', () => {
    setup();
    expect([...ipcMain.handlers.keys()].sort()).toEqual([...IPC_CHANNELS].sort());
  });

  it('has a handler for every channel in the map itself (a missing one would not compile)', () => {
    const handlers = ipcHandlers(fakeControl(), {
      copyToken: async () => {},
      openExternal: async () => false,
      openAttachment: async () => false,
      saveAttachment: async () => false,
    });
    expect(Object.keys(handlers).sort()).toEqual([...IPC_CHANNELS].sort());
    for (const channel of IPC_CHANNELS) expect(typeof handlers[channel]).toBe('function');
  });

  it('passes a call from our renderer page to the engine and returns its answer', async () => {
    const { control } = setup();
    await expect(ipcMain.invokeFrom(`${rendererUrl}#/history`, 'control:history', { q: 'invoice', limit: 5 })).resolves.toEqual({
      result: { items: [], next_before: null },
    });
    expect(control.history).toHaveBeenCalledWith({ q: 'invoice', limit: 5 });
    await ipcMain.invokeFrom(rendererUrl, 'control:event', 12);
    expect(control.event).toHaveBeenCalledWith(12);
    await ipcMain.invokeFrom(rendererUrl, 'control:reconnect');
    expect(control.reconnect).toHaveBeenCalled();
  });

  it('refuses a call from an unknown sender on every channel, without touching the engine', async () => {
    const { control, shell } = setup();
    for (const sender of ['https://evil.example/', 'file:///tmp/other/index.html', 'http://127.0.0.1:4319/', null]) {
      for (const channel of IPC_CHANNELS) {
        await expect(ipcMain.invokeFrom(sender, channel, {})).rejects.toBeInstanceOf(UntrustedSenderError);
      }
    }
    for (const method of Object.values(control)) expect(method).not.toHaveBeenCalled();
    expect(shell.copyToken).not.toHaveBeenCalled();
    expect(shell.openExternal).not.toHaveBeenCalled();
  });

  it('answers token:copy and external:open in the shell', async () => {
    const { shell } = setup();
    await ipcMain.invokeFrom(rendererUrl, 'token:copy');
    expect(shell.copyToken).toHaveBeenCalled();
    await expect(ipcMain.invokeFrom(rendererUrl, 'external:open', { url: 'https://openmail.sh/' })).resolves.toEqual({ result: true });
    expect(shell.openExternal).toHaveBeenCalledWith('https://openmail.sh/');
    await ipcMain.invokeFrom(rendererUrl, 'external:open', undefined);
    expect(shell.openExternal).toHaveBeenLastCalledWith(undefined);
  });

  it('hands attachment:open and attachment:save to the shell, with the local_url as the window sent it', async () => {
    const { shell } = setup();
    const localUrl = 'http://127.0.0.1:4319/v1/attachments/att_AAAAAAAAAAAAAAAAAAAAAAAA';
    await expect(ipcMain.invokeFrom(rendererUrl, 'attachment:open', { localUrl })).resolves.toEqual({ result: true });
    expect(shell.openAttachment).toHaveBeenCalledWith(localUrl);
    await expect(ipcMain.invokeFrom(rendererUrl, 'attachment:save', { localUrl })).resolves.toEqual({ result: false });
    expect(shell.saveAttachment).toHaveBeenCalledWith(localUrl);
    await ipcMain.invokeFrom(rendererUrl, 'attachment:save', undefined);
    expect(shell.saveAttachment).toHaveBeenLastCalledWith(undefined);
  });

  it('checks what the window sends against the call\'s schema before the engine sees it', async () => {
    const { control } = setup();
    for (const [channel, request] of [
      ['control:history', { limit: 501 }],
      ['control:history', { q: 7 }],
      ['control:event', '12'],
      ['control:addAccount', { name: 'has space', provider: 'openmail', apiKey: 'k' }],
      ['control:updateSettings', { accounts: [] }],
      ['control:retryDelivery', -1],
      ['control:createToken', { name: 'mailer', scope: 'admin', inboxIds: [], allowSenders: [] }],
      ['control:createToken', { name: 'owner', scope: 'read' }],
      ['control:audit', { limit: 501 }],
    ] as const) {
      const reply = (await ipcMain.invokeFrom(rendererUrl, channel, request)) as IpcReply<unknown>;
      expect(reply, `${channel} ${JSON.stringify(request)}`).toEqual({ error: { code: 'bad_request', message: expect.any(String) } });
    }
    expect(await ipcMain.invokeFrom(rendererUrl, 'control:updateSettings', { accounts: [] })).toEqual({
      error: { code: 'bad_request', message: 'these settings cannot be changed here: accounts' },
    });
    for (const method of Object.values(control)) expect(method).not.toHaveBeenCalled();
  });

  it('carries the engine\'s coded errors to the window with their code, and other failures as internal', async () => {
    const { control } = setup();
    control.redeliver.mockRejectedValueOnce(new CodedError('bad_request', 'no stored event with seq 9'));
    expect(await ipcMain.invokeFrom(rendererUrl, 'control:redeliver', 9)).toEqual({ error: { code: 'bad_request', message: 'no stored event with seq 9' } });
    control.removeAccount.mockRejectedValueOnce(new Error('the keychain is locked'));
    expect(await ipcMain.invokeFrom(rendererUrl, 'control:removeAccount', 'work')).toEqual({ error: { code: 'internal', message: 'the keychain is locked' } });
  });

  it('removes every handler when undone', () => {
    const { unregister } = setup();
    unregister();
    expect(ipcMain.handlers.size).toBe(0);
  });
});
