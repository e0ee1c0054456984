// The window inside the tray app: every control call is an IPC invoke to the main process, and the main
// process pushes committed events and status changes. The token never enters the window: main copies it.
import type { ControlApi } from '../../shared/control.ts';
import { ERROR_STATUS, isApiErrorCode } from '../../shared/errors.ts';
import type { IpcChannel, IpcContract, MailbridgeBridge } from '../../shared/ipc.ts';
import { isWebUrl } from '../format/external-url.ts';
import { ApiError } from './api-error.ts';
import type { DataLayer } from './data-layer.ts';
import { createListeners } from './listeners.ts';

export function createIpcTransport(bridge: MailbridgeBridge): DataLayer {
  const invoke = async <C extends IpcChannel>(channel: C, request: IpcContract[C]['request']): Promise<IpcContract[C]['response']> => {
    let reply: Awaited<ReturnType<MailbridgeBridge['invoke']>>;
    try {
      reply = await bridge.invoke(channel, request);
    } catch (error) {
      throw new ApiError(500, 'ipc_error', ipcErrorMessage(error));
    }
    if ('result' in reply) return reply.result;
    // The engine's coded error, with the status HTTP would have answered, so both transports fail alike.
    const { code, message } = reply.error;
    throw new ApiError(isApiErrorCode(code) ? ERROR_STATUS[code] : 500, code, message);
  };

  const api: ControlApi = {
    status: () => invoke('control:status', undefined),
    history: (query) => invoke('control:history', query),
    event: (seq) => invoke('control:event', seq),
    settings: () => invoke('control:settings', undefined),
    updateSettings: (patch) => invoke('control:updateSettings', patch),
    addAccount: (request) => invoke('control:addAccount', request),
    removeAccount: (name) => invoke('control:removeAccount', name),
    addForwardTarget: (request) => invoke('control:addForwardTarget', request),
    removeForwardTarget: (id) => invoke('control:removeForwardTarget', id),
    retryDelivery: (id) => invoke('control:retryDelivery', id),
    deadLetters: (request) => invoke('control:deadLetters', request),
    redeliver: (seq) => invoke('control:redeliver', seq),
    reconnect: () => invoke('control:reconnect', undefined),
    testEvent: () => invoke('control:testEvent', undefined),
    tokens: () => invoke('control:tokens', undefined),
    createToken: (request) => invoke('control:createToken', request),
    revokeToken: (name) => invoke('control:revokeToken', name),
    audit: (query) => invoke('control:audit', query),
    setNatsSink: (request) => invoke('control:setNatsSink', request),
    removeNatsSink: () => invoke('control:removeNatsSink', undefined),
  };

  // Main sends a clicked notification's seq as soon as the page has loaded, which can be before React has
  // subscribed; the click is held until someone listens, so it is not lost.
  let heldShow: number | null = null;
  const showListeners = createListeners<number>(() => {
    if (heldShow === null) return;
    const seq = heldShow;
    heldShow = null;
    queueMicrotask(() => showListeners.emit(seq));
  });
  bridge.on('event:show', (seq) => {
    if (showListeners.size === 0) heldShow = seq;
    else showListeners.emit(seq);
  });

  return {
    transport: 'ipc',
    api,
    live: {
      onEvents: (listener) => bridge.on('events:committed', listener),
      onStatus: (listener) => bridge.on('status:changed', listener),
      onShowEvent: showListeners.add,
      // The engine runs in the same app: there is no connection to lose.
      onConnection: () => () => undefined,
    },
    host: {
      copyToken: () => invoke('token:copy', undefined),
      openExternal: async (url) => {
        if (!isWebUrl(url)) throw new ApiError(400, 'bad_request', 'Only http and https links can be opened');
        await invoke('external:open', { url });
      },
      // The main process has the engine: the bytes go from its store to the file or the app, never through the window.
      openAttachment: async (attachment) => {
        await invoke('attachment:open', { localUrl: attachment.local_url });
      },
      saveAttachment: async (attachment) => {
        await invoke('attachment:save', { localUrl: attachment.local_url });
      },
    },
  };
}

/** Electron wraps a handler's error as "Error invoking remote method 'x': Error: message"; people need the message. */
export function ipcErrorMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/^Error invoking remote method '[^']*': (?:[A-Za-z]*Error: )?/, '');
}
