// The IPC contract between the tray app's main process and the window: every channel is declared here once
// with its request and response types, and the compile-time checks below fail when one side drifts.
import type { StoredEvent } from './event.ts';
import type { ControlApi } from './control.ts';
import type { DaemonStatus } from './status.ts';

type Request<M extends keyof ControlApi> = Parameters<ControlApi[M]> extends [] ? void : Parameters<ControlApi[M]>[0];
type Response<M extends keyof ControlApi> = Awaited<ReturnType<ControlApi[M]>>;

/** Renderer -> main calls (ipcRenderer.invoke / ipcMain.handle). */
export type IpcContract = {
  [M in keyof ControlApi as `control:${M}`]: { request: Request<M>; response: Response<M> };
} & {
  'token:copy': { request: void; response: void };
  'external:open': { request: { url: string }; response: boolean };
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
  'token:copy',
  'external:open',
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

/** What preload exposes as `window.mailbridge`. */
export interface MailbridgeBridge {
  invoke<C extends IpcChannel>(channel: C, request: IpcContract[C]['request']): Promise<IpcContract[C]['response']>;
  on<E extends IpcEventName>(event: E, listener: (payload: IpcEvents[E]) => void): () => void;
}
