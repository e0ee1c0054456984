// The frames an OpenMail server sends besides events, the error texts both our servers use, and the
// error-then-close sequences that end a connection.
import { WebSocket } from 'ws';
import type { MailEvent } from '../../shared/event.ts';
import { CLOSE_CONNECTION_LIMIT, CLOSE_RATE_LIMITED, CLOSE_UNAUTHORIZED } from './policy.ts';

/** Empty lists mean "all", as OpenMail sends them. */
export type SubscribedFrame = { type: 'subscribed'; inbox_ids: string[]; event_types: string[] };

export type ServerFrame =
  | SubscribedFrame
  | { type: 'unsubscribed'; inbox_ids: string[] }
  | { type: 'pong' }
  | { type: 'error'; message: string };

export const PONG: ServerFrame = { type: 'pong' };

export function unsubscribedFrame(inboxIds: readonly string[]): ServerFrame {
  return { type: 'unsubscribed', inbox_ids: [...inboxIds] };
}

export function errorFrame(message: string): ServerFrame {
  return { type: 'error', message };
}

/** OpenMail documents the error frame but not its texts; the adapter's error classification reads these. */
export const ERRORS = {
  invalidJson: 'Invalid JSON',
  missingType: 'Missing message type',
  binary: 'Binary frames are not supported',
  unknownCursor: 'Unknown last_event_id',
  unknownType: (type: string) => `Unknown message type: ${type.slice(0, 64)}`,
  unauthorizedInbox: (inboxId: string) => `Unauthorized inbox: ${inboxId.slice(0, 64)}`,
  invalidField: (frameType: string, problem: string) => `Invalid ${frameType}: ${problem}`,
} as const;

/** An error frame, then a close frame: how an OpenMail server ends a connection for cause. */
export interface Closing {
  message: string;
  code: number;
  reason: string;
}

export const RATE_LIMITED: Closing = { message: 'Rate limit exceeded', code: CLOSE_RATE_LIMITED, reason: 'Rate limit exceeded' };
export const CONNECTION_LIMITED: Closing = {
  message: 'Connection limit exceeded',
  code: CLOSE_CONNECTION_LIMIT,
  reason: 'Connection limit exceeded',
};
export const KEY_REVOKED: Closing = { message: 'API key revoked', code: CLOSE_UNAUTHORIZED, reason: 'Unauthorized' };

/** Events go out as the bare payload, beside these frames. */
export function sendFrame(ws: WebSocket, frame: ServerFrame | MailEvent): void {
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
}

export function closeWith(ws: WebSocket, closing: Closing): void {
  if (ws.readyState !== WebSocket.OPEN) return;
  sendFrame(ws, errorFrame(closing.message));
  ws.close(closing.code, closing.reason);
}
