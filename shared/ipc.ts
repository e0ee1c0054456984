// The IPC contract between the tray app's main process and the window: every channel is declared here once
// with its request and response types, and the compile-time checks below fail when one side drifts. The
// control calls' requests are checked in main against the schemas of shared/control.ts.
import type { StoredEvent } from './event.ts';
import type { ControlName, ControlRequest, ControlResponse } from './control.ts';
import type { ApiError } from './local-api.ts';
import type { DaemonStatus } from './status.ts';

/** Renderer -> main calls (ipcRenderer.invoke / ipcMain.handle). */
export type IpcContract = {
  [M in ControlName as `control:${M}`]: { request: ControlRequest<M>; response: ControlResponse<M> };
} & {
  'token:copy': { request: void; response: void };
  'external:open': { request: { url: string }; response: boolean };
  /** A kept attachment, by its local_url: shown by its default app (passive types only), or saved where the person
   * chooses. False when the person cancelled. */
  'attachment:open': { request: { localUrl: string }; response: boolean };
  'attachment:save': { request: { localUrl: string }; response: boolean };
};

export type IpcChannel = keyof IpcContract;

export const IPC_CHANNELS = [
  'control:status',
  'control:history',
  'control:event',
  'control:settings',
  'control:updateSettings',
  'control:addAccount',
  'control:removeAccount',
  'control:addForwardTarget',
  'control:removeForwardTarget',
  'control:deadLetters',
  'control:retryDelivery',
  'control:redeliver',
  'control:reconnect',
  'control:testEvent',
  'control:tokens',
  'control:createToken',
  'control:revokeToken',
  'control:audit',
  'control:setNatsSink',
  'control:removeNatsSink',
  'token:copy',
  'external:open',
  'attachment:open',
  'attachment:save',
] as const satisfies readonly IpcChannel[];

// Every contract has a channel in the list, and every listed channel has a contract.
type Missing = Exclude<IpcChannel, (typeof IPC_CHANNELS)[number]>;
export const everyChannelListed: [Missing] extends [never] ? true : Missing = true;

/** Main -> renderer pushes (webContents.send / ipcRenderer.on). */
export interface IpcEvents {
  'events:committed': readonly StoredEvent[];
  'status:changed': DaemonStatus;
  /** A notification was clicked: show this event. */
  'event:show': number;
}

export type IpcEventName = keyof IpcEvents;
export const IPC_EVENTS = ['events:committed', 'status:changed', 'event:show'] as const satisfies readonly IpcEventName[];
type MissingEvent = Exclude<IpcEventName, (typeof IPC_EVENTS)[number]>;
export const everyEventListed: [MissingEvent] extends [never] ? true : MissingEvent = true;

/**
 * What every invoke resolves to. Electron passes only the message of an error thrown in a handler, so an error
 * travels as a value, with the same `{ error: { code, message } }` the HTTP API sends.
 */
export type IpcReply<T> = { result: T } | ApiError;

/** What preload exposes as `window.mailbridge`. */
export interface MailbridgeBridge {
  invoke<C extends IpcChannel>(channel: C, request: IpcContract[C]['request']): Promise<IpcReply<IpcContract[C]['response']>>;
  on<E extends IpcEventName>(event: E, listener: (payload: IpcEvents[E]) => void): () => void;
}
