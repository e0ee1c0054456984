// What the engine reports about itself: the tray, the window, `mailbridge status` and `GET /v1/status` all read this.
import type { ForwardDelivery } from './forward-delivery.ts';

export type ProviderName = 'openmail' | 'agentmail' | 'myagentmail';
export const PROVIDERS: readonly ProviderName[] = ['openmail', 'agentmail', 'myagentmail'];

export type ConnectionState =
  | 'connecting'
  | 'subscribing'
  | 'live'
  | 'stale'
  | 'backoff'
  | 'needs_key'
  | 'stopped';

export interface UpstreamCounters {
  connects: number;
  frames: number;
  events: number;
  duplicates: number;
  malformed: number;
  errors: number;
}

export interface PossibleGap {
  /** ISO time the gap was noticed. */
  at: string;
  reason: string;
}

export interface UpstreamStatus {
  account: string;
  provider: ProviderName;
  /** The WebSocket URL without credentials. */
  url: string;
  state: ConnectionState;
  /** ISO time the current state was entered. */
  since: string;
  /** Connection attempts since the last stable connection. */
  attempt: number;
  lastError: string | null;
  /** ISO time of the next connection attempt while in `backoff`. */
  nextRetryAt: string | null;
  lastEventAt: string | null;
  /** The replay cursor: the last committed upstream `event_id`. */
  cursor: string | null;
  possibleGap: PossibleGap | null;
  counters: UpstreamCounters;
}

export interface ConsumerStatus {
  name: string;
  /** Last seq the consumer acknowledged. */
  ackedSeq: number;
  /** Committed events after `ackedSeq`. */
  lag: number;
  updatedAt: string;
}

export interface ForwardTargetStatus {
  id: string;
  url: string;
  inboxIds: string[];
  eventTypes: string[];
  /** Deliveries waiting (including retries in progress). */
  queued: number;
  deadLetters: number;
  delivered: number;
  lastResult: { at: string; ok: boolean; detail: string } | null;
  /** Retries, dead letters and ordering as the target was set up. */
  delivery?: ForwardDelivery;
  /** Deliveries under way now, retries included (at most 1 in strict order, `delivery.concurrency` otherwise). */
  inFlight?: number;
}

export interface EndpointInfo {
  url: string;
  /** Unix socket path (or named pipe on Windows); null when disabled. */
  socket: string | null;
  token_file: string;
  pid: number;
  version: string;
  /** In status only (endpoint.json has no live counts): the agents connected now. */
  clients?: EndpointClients;
}

/** What the local endpoint holds open right now. */
export interface EndpointClients {
  /** Open HTTP connections, TCP and Unix socket (parked long-polls and streams among them). */
  connections: number;
  /** Long-polls waiting for an event. */
  longPolls: number;
  /** Server-Sent Event streams. */
  streams: number;
  /** OpenMail-compatible local WebSocket clients. */
  webSockets: number;
}

export interface DaemonStatus {
  version: string;
  pid: number;
  startedAt: string;
  dataDir: string;
  demo: boolean;
  accounts: UpstreamStatus[];
  endpoint: EndpointInfo | null;
  store: {
    events: number;
    latestSeq: number;
    oldestSeq: number | null;
    /** Committed events that search does not cover yet: indexing follows the commits, usually within 0.2 s. */
    searchLag?: number;
  };
  consumers: ConsumerStatus[];
  forwards: ForwardTargetStatus[];
}

export type DeadLetterStatus = 'dead' | 'retrying';

/** A forwarded event that ran out of retries (`GET /v1/deliveries`, the window's forwarding panel). */
export interface DeadLetter {
  id: number;
  targetId: string;
  seq: number;
  eventId: string;
  /** Delivery attempts so far, over every try. */
  attempts: number;
  /** Null for a re-delivery asked for by hand that has not been tried yet. */
  lastError: string | null;
  /** ISO time of the last failure, or of the request for a re-delivery by hand. */
  at: string;
  /** `retrying` once a retry was asked for, until it is delivered (and removed) or fails again. */
  status: DeadLetterStatus;
}
