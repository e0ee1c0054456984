// The local endpoint's contract: what agents and the headless dashboard send and receive.
import type { MailEvent, StoredEvent } from './event.ts';
import type { ConsumerStatus, DaemonStatus, DeadLetter, DeadLetterStatus, EndpointInfo } from './status.ts';

export const DEFAULT_PORT = 4319;
export const API_PREFIX = '/v1';
/** The MCP server (Streamable HTTP): outside /v1, behind the same token. */
export const MCP_PATH = '/mcp';

/** Page sizes, one rule for every way in (HTTP, IPC, the command line): a default, a maximum, and a 400 above it. */
export const HISTORY_LIMIT = { default: 50, max: 500 } as const;
export const EVENTS_LIMIT = { default: 100, max: 1000 } as const;
export const MAX_WAIT_SECONDS = 60;
/** Inbox ids, event types, account and consumer names in queries. */
export const MAX_FILTER_LENGTH = 256;
/** Free-text history search. */
export const MAX_QUERY_LENGTH = 512;

export interface ApiError {
  error: { code: ApiErrorCode; message: string };
}

export type ApiErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'too_many_requests'
  | 'internal'
  | 'bad_gateway'
  | 'insufficient_storage';

/** `GET /v1/events` query: `after`, `limit`, `wait`, `inbox_id`, `event_type`, `consumer`. */
export interface EventsQuery {
  after?: number;
  limit?: number;
  /** Seconds to hold the request open when nothing is available (0..60). */
  wait?: number;
  inbox_id?: string;
  event_type?: string;
  /** Named consumer: read from its acknowledged cursor when `after` is absent. */
  consumer?: string;
}

export interface EventsResponse {
  events: StoredEvent[];
  /** Pass as `after` next time. */
  next_after: number;
}

/** `GET /v1/history`: newest first, with full-text search, for the window. */
export interface HistoryQuery {
  q?: string;
  before?: number;
  limit?: number;
  account?: string;
  inbox_id?: string;
  event_type?: string;
}

export interface HistoryItem {
  seq: number;
  account: string;
  stored_at: string;
  event: MailEvent;
}

export interface HistoryResponse {
  items: HistoryItem[];
  /** Pass as `before` for the next page; null at the end. */
  next_before: number | null;
  /** Committed events a search may have missed because the full-text index has not reached them yet (0 when complete). */
  search_lag?: number;
}

/** `GET /v1/deliveries`: dead letters of one forward target (`target`), or of all; `status` narrows them. */
export interface DeadLettersQuery {
  target?: string;
  status?: DeadLetterStatus;
}

export interface DeliveriesResponse {
  deliveries: DeadLetter[];
}

export interface RetryResponse {
  id: number;
  status: 'retrying';
}

export interface RedeliverResponse {
  /** How many forward targets the event was queued for. */
  queued: number;
}

export interface RemovedResponse {
  removed: string;
}

export interface ReconnectResponse {
  reconnecting: true;
}

export interface TokenRotateResponse {
  rotated: true;
  token_file: string;
}

export interface AckRequest {
  seq: number;
}

/** The consumer's position after the ack: acks never move it backwards. */
export interface AckResponse {
  name: string;
  acked_seq: number;
}

export interface ConsumersResponse {
  consumers: ConsumerStatus[];
}

export type StatusResponse = DaemonStatus;

export interface TestEventResponse {
  event: StoredEvent;
}

export type EndpointFile = EndpointInfo;
