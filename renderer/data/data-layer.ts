// What the window talks to: the engine's control calls, a live feed, and the few things only the host can do.
// The IPC and HTTP transports both produce this shape, so no component knows which one it runs on.
import type { ControlApi } from '../../shared/control.ts';
import type { StoredEvent } from '../../shared/event.ts';
import type { DaemonStatus } from '../../shared/status.ts';
import type { ApiError } from './api-error.ts';

export type Unsubscribe = () => void;

export interface LiveFeed {
  /** Committed events, in seq order, batched as they arrive. */
  onEvents(listener: (events: readonly StoredEvent[]) => void): Unsubscribe;
  onStatus(listener: (status: DaemonStatus) => void): Unsubscribe;
  /** A notification was clicked: the window should show this event (tray app only). */
  onShowEvent(listener: (seq: number) => void): Unsubscribe;
  /** Why the engine stopped answering (or refused us), then null once it answers again; feeds resume by themselves. */
  onConnection(listener: (problem: ApiError | null) => void): Unsubscribe;
}

export interface HostActions {
  /** Copies the local API token without the window ever holding it where it can (in the tray app). */
  copyToken(): Promise<void>;
  /** Opens an http(s) link in the default browser, never inside the window. */
  openExternal(url: string): Promise<void>;
}

export interface DataLayer {
  transport: 'ipc' | 'http';
  api: ControlApi;
  live: LiveFeed;
  host: HostActions;
}
