// OpenMail's WebSocket protocol (docs/providers.md): Bearer auth, subscribe with an optional replay cursor,
// events that are the webhook payload itself, and the close codes and limits its server documents.
import {
  CLIENT_BUDGET,
  CLOSE_CONNECTION_LIMIT,
  CLOSE_RATE_LIMITED,
  CLOSE_UNAUTHORIZED,
  REPLAY_CAP,
} from '../openmail-protocol/policy.ts';
import type { CloseAction, Frame, ProviderAdapter } from './adapter.ts';
import { closeReason, handshakeAction, RATE_LIMIT_DELAY_MS, reconnectAfterClose } from './close-policy.ts';
import { errorFrame, eventFrame, subscribedFrame, subscribeFrame, unsubscribedFrame } from './common-frames.ts';
import { readFrameObject } from './frame-json.ts';
import { messageIdKey } from './message-key.ts';
import { OPENMAIL_ATTACHMENTS, OPENMAIL_CATCH_UP } from './openmail-rest.ts';

/** The connection limit frees only when another of the account's connections closes; quick retries just
 * collect more refusals. */
const CONNECTION_LIMIT_DELAY_MS = 60_000;
/** Undocumented; OpenMail's own plugin treats it as fatal, so retrying with the same key is pointless. */
const CLOSE_FORBIDDEN = 4003;

export function createOpenMailAdapter(): ProviderAdapter {
  return {
    name: 'openmail',
    defaultUrl: 'wss://api.openmail.sh/v1/ws',
    defaultApiUrl: 'https://api.openmail.sh',
    supportsReplay: true,
    replayCap: REPLAY_CAP,
    clientRate: CLIENT_BUDGET,
    connectRequest: (url, apiKey) => ({ url, headers: { Authorization: `Bearer ${apiKey}` } }),
    restHeaders: (apiKey) => ({ Authorization: `Bearer ${apiKey}` }),
    subscribeFrame,
    classify,
    onClose,
    onHandshakeStatus: handshakeAction,
    catchUp: OPENMAIL_CATCH_UP,
    attachments: OPENMAIL_ATTACHMENTS,
    // A push and a REST listing name a message by the same id.
    messageKey: messageIdKey,
  };
}

function classify(raw: string): Frame {
  const frame = readFrameObject(raw);
  if (!frame.ok) return { kind: 'unknown', reason: frame.reason };
  const value = frame.value;
  // An event is the webhook payload itself: no `type`, recognised by its `event` key.
  if (!Object.hasOwn(value, 'type')) {
    if (!Object.hasOwn(value, 'event')) return { kind: 'unknown', reason: 'frame has neither type nor event' };
    return eventFrame(value);
  }
  switch (value.type) {
    case 'subscribed':
      return subscribedFrame(value.inbox_ids, value.event_types);
    case 'unsubscribed':
      return unsubscribedFrame(value.inbox_ids);
    case 'pong':
      return { kind: 'pong' };
    case 'error':
      return errorFrame(value.message);
    default:
      return { kind: 'unknown', reason: 'unrecognised frame type' };
  }
}

function onClose(code: number, reason: string): CloseAction {
  switch (code) {
    case CLOSE_UNAUTHORIZED:
      return { action: 'needs_key', reason: closeReason('unauthorized', code, reason) };
    case CLOSE_FORBIDDEN:
      return { action: 'needs_key', reason: closeReason('forbidden', code, reason) };
    case CLOSE_CONNECTION_LIMIT:
      return {
        action: 'reconnect',
        minDelayMs: CONNECTION_LIMIT_DELAY_MS,
        reason: closeReason('connection limit reached', code, reason),
      };
    case CLOSE_RATE_LIMITED:
      return { action: 'reconnect', minDelayMs: RATE_LIMIT_DELAY_MS, reason: closeReason('rate limited', code, reason) };
    default:
      return reconnectAfterClose(code, reason);
  }
}
