// The main-process side of shared/ipc.ts. The handler map is typed by IpcContract, so a channel without a
// handler does not compile; every call is refused unless it comes from our own renderer page.
import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import type { ControlApi } from '../shared/control.ts';
import { IPC_CHANNELS, type IpcChannel, type IpcContract } from '../shared/ipc.ts';
import { isRendererUrl } from './window-security.ts';

export type IpcHandlers = {
  [C in IpcChannel]: (request: IpcContract[C]['request']) => Promise<IpcContract[C]['response']>;
};

/** What the shell itself answers: the clipboard and the system browser are not the engine's business. */
export interface ShellCalls {
  copyToken(): Promise<void>;
  openExternal(url: unknown): Promise<boolean>;
}

export function ipcHandlers(control: ControlApi, shell: ShellCalls): IpcHandlers {
  return {
    'control:status': () => control.status(),
    'control:history': (query) => control.history(query ?? {}),
    'control:event': (seq) => control.event(seq),
    'control:settings': () => control.settings(),
    'control:updateSettings': (patch) => control.updateSettings(patch),
    'control:addAccount': (request) => control.addAccount(request),
    'control:removeAccount': (name) => control.removeAccount(name),
    'control:addForwardTarget': (request) => control.addForwardTarget(request),
    'control:removeForwardTarget': (id) => control.removeForwardTarget(id),
    'control:deadLetters': (targetId) => control.deadLetters(targetId),
    'control:retryDelivery': (id) => control.retryDelivery(id),
    'control:redeliver': (seq) => control.redeliver(seq),
    'control:reconnect': () => control.reconnect(),
    'control:testEvent': () => control.testEvent(),
    'token:copy': () => shell.copyToken(),
    'external:open': (request) => shell.openExternal(request?.url),
  };
}

export class UntrustedSenderError extends Error {
  constructor(channel: string, url: string | undefined) {
    super(`refused ${channel}: the caller (${url ?? 'a closed frame'}) is not the Mailbridge window`);
    this.name = 'UntrustedSenderError';
  }
}

/** Registers every channel; returns the undo. */
export function registerIpc(handlers: IpcHandlers, rendererUrl: string): () => void {
  for (const channel of IPC_CHANNELS) {
    const handle = handlers[channel] as (request: unknown) => Promise<unknown>;
    ipcMain.handle(channel, (event: IpcMainInvokeEvent, request: unknown) => {
      const url = event.senderFrame?.url;
      // A frame that navigated elsewhere (or an injected iframe) must not reach the engine or the keychain.
      if (!isRendererUrl(url, rendererUrl)) throw new UntrustedSenderError(channel, url);
      return handle(request);
    });
  }
  return () => {
    for (const channel of IPC_CHANNELS) ipcMain.removeHandler(channel);
  };
}
