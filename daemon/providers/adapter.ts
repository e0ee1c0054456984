// The contract every provider protocol implements. Adapters are pure: they build requests and frames and
// classify what arrives; the upstream connection owns sockets, timers and state.
import type { MailEvent } from '../../shared/event.ts';
import type { ProviderName } from '../../shared/status.ts';
import type { MessageBudget } from '../rate-limit.ts';
import type { ProviderAttachments } from './attachment-download.ts';
import type { ProviderCatchUp } from './catch-up.ts';

/** Largest text frame an adapter classifies, and the upstream socket's maxPayload. Events carry extracted
 * attachment text (`parsedText`), so a real one can reach megabytes; past this a frame is refused before parsing. */
export const MAX_FRAME_BYTES = 8 * 1024 * 1024;

/** What adapter factories may be given. `now` is used only where a mapping must invent a time (a missing
 * timestamp); it defaults to Date.now. */
export interface AdapterOptions {
  now?: () => number;
}

export interface Subscription {
  inboxIds: string[];
  eventTypes: string[];
  /** Replay cursor; sent only by adapters whose provider supports replay. */
  lastEventId: string | null;
}

export interface ConnectRequest {
  url: string;
  headers: Record<string, string>;
}

export type ErrorKind =
  | 'unauthorized' // key rejected or revoked: stop and ask for a new key
  | 'cursor_unknown' // replay cursor not recognised: resubscribe without it, record a gap
  | 'rate_limited'
  | 'connection_limit'
  | 'other';

export type Frame =
  | { kind: 'event'; event: MailEvent }
  | { kind: 'subscribed'; inboxIds: string[]; eventTypes: string[] }
  | { kind: 'unsubscribed'; inboxIds: string[] }
  | { kind: 'connected' }
  | { kind: 'pong' }
  /** Application-level ping from the server; `reply` is the frame to send back, if any. */
  | { kind: 'ping'; reply: string | null }
  | { kind: 'error'; error: ErrorKind; message: string }
  /** Anything malformed or unrecognised: counted and logged, never fatal. */
  | { kind: 'unknown'; reason: string };

export type CloseAction =
  /** Reconnect after the normal backoff (at least `minDelayMs`). */
  | { action: 'reconnect'; minDelayMs: number; reason: string }
  /** The key was rejected: stop retrying, surface `needs_key`. */
  | { action: 'needs_key'; reason: string };

export interface ProviderAdapter {
  readonly name: ProviderName;
  readonly defaultUrl: string;
  /** The REST API's base (paths keep their version prefix: `/v1/...`, `/v0/...`); an account may override it. */
  readonly defaultApiUrl: string;
  /** Whether `subscribe` accepts a replay cursor. */
  readonly supportsReplay: boolean;
  /** Most events one replay returns (OpenMail: 100); null when unbounded or no replay. */
  readonly replayCap: number | null;
  /** Most client frames per window, to stay under the provider's rate limit. */
  readonly clientRate: MessageBudget;
  connectRequest(url: string, apiKey: string): ConnectRequest;
  /** The headers that authenticate a REST call with this key. */
  restHeaders(apiKey: string): Record<string, string>;
  subscribeFrame(sub: Subscription): string;
  /** Classify one text frame. Must never throw, whatever the input. */
  classify(raw: string): Frame;
  /** What to do when the socket closes with this code (1006 for an abnormal close). */
  onClose(code: number, reason: string): CloseAction;
  /** What a handshake rejected with this HTTP status means (e.g. 401 -> needs_key). */
  onHandshakeStatus(status: number): CloseAction;
  /** Listing and mapping what the socket may have missed over the REST API. */
  readonly catchUp: ProviderCatchUp;
  /** Fetching an attachment of a mail over the REST API, once the link the event carried no longer works. */
  readonly attachments: ProviderAttachments;
  /** What makes two events of one type one mail, beside the event id (message-key.ts); null when nothing does. */
  messageKey(event: MailEvent): string | null;
}
