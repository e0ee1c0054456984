// The window's only door to the main process: `window.mailbridge`, typed by shared/ipc.ts. Only listed
// channels can be invoked and only listed events heard; the raw IpcRendererEvent (which carries the sender)
// never reaches the page. Runs sandboxed, so the build bundles it into one CommonJS file.
import { contextBridge, ipcRenderer, type IpcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_CHANNELS, IPC_EVENTS, type MailbridgeBridge } from '../shared/ipc.ts';

export function createBridge(ipc: Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>): MailbridgeBridge {
  const channels = new Set<string>(IPC_CHANNELS);
  const events = new Set<string>(IPC_EVENTS);
  return {
    invoke(channel, request) {
      if (!channels.has(channel)) return Promise.reject(new Error(`unknown IPC channel: ${String(channel)}`));
      return ipc.invoke(channel, request);
    },
    on(event, listener) {
      if (!events.has(event)) throw new Error(`unknown IPC event: ${String(event)}`);
      const forward = (_event: IpcRendererEvent, payload: Parameters<typeof listener>[0]) => listener(payload);
      ipc.on(event, forward);
      return () => {
        ipc.removeListener(event, forward);
      };
    },
  };
}

contextBridge.exposeInMainWorld('mailbridge', createBridge(ipcRenderer));
