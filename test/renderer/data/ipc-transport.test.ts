import { describe, expect, it } from 'vitest';
import type { IpcChannel, IpcEventName, IpcEvents, MailbridgeBridge } from '../../../shared/ipc.ts';
import { ApiError } from '../../../renderer/data/api-error.ts';
import { createIpcTransport, ipcErrorMessage } from '../../../renderer/data/ipc-transport.ts';

interface FakeBridge extends MailbridgeBridge {
  calls: [IpcChannel, unknown][];
  emit<E extends IpcEventName>(event: E, payload: IpcEvents[E]): void;
}

function fakeBridge(answer: (channel: IpcChannel, request: unknown) => unknown): FakeBridge {
  const calls: [IpcChannel, unknown][] = [];
  const listeners = new Map<string, Set<(payload: never) => void>>();
  return {
    calls,
    invoke: (async (channel: IpcChannel, request: unknown) => {
      calls.push([channel, request]);
      // Main's reply: the handler's answer, wrapped as an IpcReply.
      return { result: answer(channel, request) };
    }) as MailbridgeBridge['invoke'],
    on: ((event: IpcEventName, listener: (payload: never) => void) => {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener);
      return () => set.delete(listener);
    }) as MailbridgeBridge['on'],
    emit(event, payload) {
      for (const listener of listeners.get(event) ?? []) (listener as (value: typeof payload) => void)(payload);
    },
  };
}

describe('createIpcTransport', () => {
  it('maps each control call to its channel with the request as is', async () => {
    const bridge = fakeBridge((channel) => (channel === 'control:redeliver' ? 2 : channel === 'control:retryDelivery' ? true : null));
    const { api } = createIpcTransport(bridge);
    await api.history({ q: 'invoice', before: 10, limit: 50 });
    await api.event(7);
    await api.removeAccount('work');
    await api.removeForwardTarget('fwd_1');
    expect(await api.retryDelivery(3)).toBe(true);
    expect(await api.redeliver(9)).toBe(2);
    await api.updateSettings({ launchAtLogin: true });
    await api.status();
    await api.testEvent();
    expect(bridge.calls).toEqual([
      ['control:history', { q: 'invoice', before: 10, limit: 50 }],
      ['control:event', 7],
      ['control:removeAccount', 'work'],
      ['control:removeForwardTarget', 'fwd_1'],
      ['control:retryDelivery', 3],
      ['control:redeliver', 9],
      ['control:updateSettings', { launchAtLogin: true }],
      ['control:status', undefined],
      ['control:testEvent', undefined],
    ]);
  });

  it('turns Electron-wrapped errors into the handler message', async () => {
    const bridge = fakeBridge(() => {
      throw new Error("Error invoking remote method 'control:addAccount': Error: account name must be 1-64 letters");
    });
    const failure = createIpcTransport(bridge).api.addAccount({ name: '', provider: 'openmail', inboxIds: [], eventTypes: [], apiKey: 'k' });
    await expect(failure).rejects.toBeInstanceOf(ApiError);
    await expect(failure).rejects.toThrow(/^account name must be 1-64 letters$/);
  });

  it('turns a coded error from main into an ApiError with its code and the status HTTP would answer', async () => {
    const bridge: MailbridgeBridge = {
      invoke: (async () => ({ error: { code: 'bad_request', message: 'limit must be an integer from 1 to 500' } })) as MailbridgeBridge['invoke'],
      on: () => () => undefined,
    };
    const failure = createIpcTransport(bridge).api.history({ limit: 501 });
    await expect(failure).rejects.toBeInstanceOf(ApiError);
    await expect(failure).rejects.toMatchObject({ status: 400, code: 'bad_request', message: 'limit must be an integer from 1 to 500' });
  });

  it('relays pushes from main as the live feed', () => {
    const bridge = fakeBridge(() => null);
    const { live } = createIpcTransport(bridge);
    const seen: unknown[] = [];
    const off = live.onEvents((events) => seen.push(events.map((event) => event.seq)));
    live.onShowEvent((seq) => seen.push(`show ${seq}`));
    bridge.emit('events:committed', [{ seq: 4, event: 'message.received', event_id: 'e', occurred_at: '', inbox_id: null }]);
    bridge.emit('event:show', 4);
    off();
    bridge.emit('events:committed', []);
    expect(seen).toEqual([[4], 'show 4']);
  });

  it('holds a notification click that arrives before anyone listens', async () => {
    const bridge = fakeBridge(() => null);
    const { live } = createIpcTransport(bridge);
    bridge.emit('event:show', 12);
    const shown: number[] = [];
    live.onShowEvent((seq) => shown.push(seq));
    await Promise.resolve();
    bridge.emit('event:show', 13);
    expect(shown).toEqual([12, 13]);
  });

  it('copies the token and opens links through main, refusing non-web links', async () => {
    const bridge = fakeBridge(() => true);
    const { host } = createIpcTransport(bridge);
    await host.copyToken();
    await host.openExternal('https://example.com/a');
    await expect(host.openExternal('file:///etc/passwd')).rejects.toThrow(/http and https/);
    expect(bridge.calls).toEqual([
      ['token:copy', undefined],
      ['external:open', { url: 'https://example.com/a' }],
    ]);
  });

  it('opens and saves kept attachments through main by their local_url: the bytes never pass through the window', async () => {
    const bridge = fakeBridge(() => true);
    const { host } = createIpcTransport(bridge);
    const kept = { filename: 'a.pdf', contentType: 'application/pdf', local_url: 'http://127.0.0.1:4319/v1/attachments/att_AAAAAAAAAAAAAAAAAAAAAAAA' };
    await host.openAttachment(kept);
    await host.saveAttachment(kept);
    expect(bridge.calls).toEqual([
      ['attachment:open', { localUrl: kept.local_url }],
      ['attachment:save', { localUrl: kept.local_url }],
    ]);
  });
});

describe('ipcErrorMessage', () => {
  it('keeps plain messages and strips only the IPC wrapper', () => {
    expect(ipcErrorMessage(new Error("Error invoking remote method 'control:x': TypeError: bad"))).toBe('bad');
    expect(ipcErrorMessage(new Error('plain'))).toBe('plain');
    expect(ipcErrorMessage('text')).toBe('text');
  });
});
