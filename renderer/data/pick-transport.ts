// One window, two homes: inside the tray app the preload script provides `window.mailbridge`; anywhere else the
// page was served by the local endpoint and talks HTTP to its own origin.
import type { MailbridgeBridge } from '../../shared/ipc.ts';
import type { DataLayer } from './data-layer.ts';
import { createHttpTransport } from './http-transport.ts';
import { createIpcTransport } from './ipc-transport.ts';
import { takeToken } from './token.ts';

/** Null when the page has no token: it was opened without the dashboard link. */
export function pickTransport(): DataLayer | null {
  const bridge = (globalThis as { mailbridge?: MailbridgeBridge }).mailbridge;
  if (bridge !== undefined) return createIpcTransport(bridge);
  const token = takeToken({ location: window.location, history: window.history, storage: window.sessionStorage });
  return token === null ? null : createHttpTransport({ baseUrl: window.location.origin, token });
}
