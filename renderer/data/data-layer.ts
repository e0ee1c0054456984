// What the window talks to: the engine's control calls, a live feed, and the few things only the host can do.
// The IPC and HTTP transports both produce this shape, so no component knows which one it runs on.
import type { ControlApi } from '../../shared/control.ts';
import type { MailAttachment, StoredEvent } from '../../shared/event.ts';
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

/** An attachment Mailbridge keeps: its copy on the engine, with the name and type the mail gave it. */
export type KeptAttachment = Pick<MailAttachment, 'filename' | 'contentType'> & { local_url: string };

export interface HostActions {
  /** Copies the local API token without the window ever holding it where it can (in the tray app). */
  copyToken(): Promise<void>;
  /** Opens an http(s) link in the default browser, never inside the window. */
  openExternal(url: string): Promise<void>;
  /** Shows a kept attachment of a passive type (a new tab in a browser, its default app in the tray app); refuses
   * the rest, which can only be saved. The token never goes into a URL. */
  openAttachment(attachment: KeptAttachment): Promise<void>;
  /** Saves a kept attachment under its cleaned name. */
  saveAttachment(attachment: KeptAttachment): Promise<void>;
}

export interface DataLayer {
  transport: 'ipc' | 'http';
  api: ControlApi;
  live: LiveFeed;
  host: HostActions;
}
