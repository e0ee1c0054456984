// Runs against the fake 'electron' module: the Electron runtime cannot be had on this machine.
import { describe, expect, it, vi } from 'vitest';
import { IPC_CHANNELS, type MailbridgeBridge } from '../../shared/ipc.ts';
import { createBridge } from '../../electron/preload.ts';
import { exposed, fakeIpcRenderer, ipcRenderer } from './fake-electron.ts';

vi.mock('electron', () => import('./fake-electron.ts'));

function setup() {
  const ipc = fakeIpcRenderer();
  return { ipc, bridge: createBridge(ipc as unknown as Parameters<typeof createBridge>[0]) };
}

describe('preload', () => {
  it('exposes the bridge as window.mailbridge when it loads', async () => {
    // The call happened at import; the map keeps what a mock's call log would lose to clearMocks.
    expect([...exposed.keys()]).toEqual(['mailbridge']);
    const bridge = exposed.get('mailbridge') as MailbridgeBridge;
    await bridge.invoke('control:status', undefined);
    expect(ipcRenderer.invoke).toHaveBeenCalledWith('control:status', undefined);
  });

  it('invokes listed channels and refuses any other', async () => {
    const { ipc, bridge } = setup();
    for (const channel of IPC_CHANNELS) await bridge.invoke(channel, undefined as never);
    expect(ipc.invoke.mock.calls.map(([channel]) => channel)).toEqual([...IPC_CHANNELS]);
    await expect(bridge.invoke('shell:exec' as never, 'rm -rf /' as never)).rejects.toThrow(/unknown IPC channel/);
    expect(ipc.invoke).toHaveBeenCalledTimes(IPC_CHANNELS.length);
  });

  it('delivers listed events without the IPC event object, and unsubscribes', () => {
    const { ipc, bridge } = setup();
    const heard = vi.fn();
    const off = bridge.on('status:changed', heard);
    ipc.push('status:changed', { version: '1' });
    expect(heard.mock.calls).toEqual([[{ version: '1' }]]);
    off();
    ipc.push('status:changed', { version: '2' });
    expect(heard).toHaveBeenCalledTimes(1);
  });

  it('refuses to listen to anything not in IPC_EVENTS', () => {
    const { ipc, bridge } = setup();
    expect(() => bridge.on('ipc:anything' as never, () => {})).toThrow(/unknown IPC event/);
    expect(ipc.eventNames()).toEqual([]);
  });

  it('hands the seq of a clicked notification to the page', () => {
    const { ipc, bridge } = setup();
    const show = vi.fn();
    bridge.on('event:show', show);
    ipc.push('event:show', 42);
    expect(show.mock.calls).toEqual([[42]]);
  });
});
