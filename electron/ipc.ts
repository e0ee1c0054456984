// The main-process side of shared/ipc.ts. The handler map is typed by IpcContract, so a channel without a
// handler does not compile; every call is refused unless it comes from our own renderer page, and what the
// page sends is checked against the call's schema (shared/control.ts) before the engine sees it. Answers and
// coded errors go back as an IpcReply, so the window gets the same code the HTTP API would send.
import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import { parseRequest, type ControlApi, type ControlCalls, type ControlName, type ControlResponse } from '../shared/control.ts';
import { CodedError } from '../shared/errors.ts';
import { IPC_CHANNELS, type IpcChannel, type IpcContract, type IpcReply } from '../shared/ipc.ts';
import { isRendererUrl } from './window-security.ts';

export type IpcHandlers = {
  [C in IpcChannel]: (request: IpcContract[C]['request']) => Promise<IpcContract[C]['response']>;
};

/** What the shell itself answers: the clipboard, the system browser, files and apps are not the engine's business. */
export interface ShellCalls {
  copyToken(): Promise<void>;
  openExternal(url: unknown): Promise<boolean>;
  openAttachment(localUrl: unknown): Promise<boolean>;
  saveAttachment(localUrl: unknown): Promise<boolean>;
}

export function ipcHandlers(control: ControlApi, shell: ShellCalls): IpcHandlers {
  const calls: ControlCalls = control;
  // The renderer is not trusted with shapes: the request is checked before the engine is called.
  const checked =
    <M extends ControlName>(name: M) =>
    (request: unknown): Promise<ControlResponse<M>> =>
      calls[name](parseRequest(name, request));
  return {
    'control:status': checked('status'),
    'control:history': (query) => checked('history')(query ?? {}),
    'control:event': checked('event'),
    'control:settings': checked('settings'),
    'control:updateSettings': checked('updateSettings'),
    'control:addAccount': checked('addAccount'),
    'control:removeAccount': checked('removeAccount'),
    'control:addForwardTarget': checked('addForwardTarget'),
    'control:removeForwardTarget': checked('removeForwardTarget'),
    'control:deadLetters': checked('deadLetters'),
    'control:retryDelivery': checked('retryDelivery'),
    'control:redeliver': checked('redeliver'),
    'control:reconnect': checked('reconnect'),
    'control:testEvent': checked('testEvent'),
    'control:tokens': checked('tokens'),
    'control:createToken': checked('createToken'),
    'control:revokeToken': checked('revokeToken'),
    'control:audit': checked('audit'),
    'control:setNatsSink': checked('setNatsSink'),
    'control:removeNatsSink': checked('removeNatsSink'),
    'token:copy': () => shell.copyToken(),
    'external:open': (request) => shell.openExternal(request?.url),
    'attachment:open': (request) => shell.openAttachment(request?.localUrl),
    'attachment:save': (request) => shell.saveAttachment(request?.localUrl),
  };
}

export class UntrustedSenderError extends Error {
  constructor(channel: string, url: string | undefined) {
    super(`refused ${channel}: the caller (${url ?? 'a closed frame'}) is not the Mailbridge window`);
    this.name = 'UntrustedSenderError';
  }
}

/** A coded error keeps its code; any other failure is `internal`, with its message for the person at the window. */
async function reply(handle: () => Promise<unknown>): Promise<IpcReply<unknown>> {
  try {
    return { result: await handle() };
  } catch (error) {
    if (error instanceof CodedError) return { error: { code: error.code, message: error.message } };
    return { error: { code: 'internal', message: error instanceof Error ? error.message : String(error) } };
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
      return reply(() => handle(request));
    });
  }
  return () => {
    for (const channel of IPC_CHANNELS) ipcMain.removeHandler(channel);
  };
}
