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
  /** Catch-up over the provider's REST API; absent where the engine runs none for the account. */
  catchUp?: CatchUpStatus;
}

// Catch-up over REST: what the socket may have missed, listed from the provider's REST API.

export type CatchUpState =
  /** Waiting for a reason to run, or for the interval. */
  | 'idle'
  | 'running'
  /** The last run failed; the next try is at `nextRunAt`. */
  | 'backoff'
  /** The provider refused the key for REST calls. */
  | 'needs_key'
  /** The account's event types leave out `message.received`, the only type catch-up recovers. */
  | 'off';

export interface CatchUpStatus {
  state: CatchUpState;
  /** ISO time the last complete catch-up finished; null before the first. */
  lastRunAt: string | null;
  /** Mail the last complete catch-up recovered (mail the account did not hold yet). */
  lastRecovered: number;
  /** Mail recovered by catch-up since the engine started. */
  recovered: number;
  /** Mail may be missing (since when, and why) until a catch-up covers it; null when none is known. */
  gap: PossibleGap | null;
  /** The last REST error, until a catch-up completes. */
  lastError: string | null;
  /** ISO time of the next run: a retry in `backoff`, else the interval's. */
  nextRunAt: string | null;
  /** Listed messages left out since the engine started because they did not map onto the event shape. */
  skipped: number;
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

// ---- Publishing to NATS JetStream ---------------------------------------------------------------------------

/** `connecting` to the broker and checking the stream, `live` publishing (lag says how far behind), `backoff` after a failure. */
export type SinkState = 'connecting' | 'live' | 'backoff' | 'stopped';

/** A sink: a cursor over the event log that publishes each committed event elsewhere and moves only on an ack. */
export interface SinkStatus {
  kind: 'nats';
  /** The sink's cursor: `nats:<stream>`. */
  id: string;
  /** The broker URL without credentials. */
  url: string;
  stream: string;
  subjectPrefix: string;
  state: SinkState;
  /** ISO time the current state was entered. */
  since: string;
  /** The last seq the broker acknowledged. */
  position: number;
  /** Committed events not yet acknowledged. */
  lag: number;
  /** Events acknowledged over the sink's life, duplicates included. */
  published: number;
  /** Acks since start that said the stream held the event already (another engine published it first). */
  duplicates: number;
  lastPublishedAt: string | null;
  lastError: { at: string; message: string } | null;
  /** ISO time of the next attempt while in `backoff`. */
  nextRetryAt: string | null;
  /** The stream's duplicate window as the broker reports it, once known. */
  duplicateWindowSeconds: number | null;
}

// ---- Attachments kept -------------------------------------------------------------------------------------

/** The attachment store under the data dir: what it holds, what it still has to fetch, and why it could not. */
export interface AttachmentsStatus {
  /** Attachments held whole, served from `local_url`. */
  kept: number;
  /** Still to be fetched: not tried yet, or retried later after a failure. */
  pending: number;
  /** Not tried again by itself (the provider no longer has it, or it is over the per-file limit); asking for it
   * at `local_url` tries once more. */
  failed: number;
  /** Removed to keep the store under its total limit while its mail was still kept; fetched again when asked for. */
  evicted: number;
  /** Bytes the kept files take (each file once, however many mails carry it). */
  bytes: number;
  maxFileBytes: number;
  maxTotalBytes: number;
  /** The last failure to fetch or keep one, until the next one is kept. */
  lastError: { at: string; message: string } | null;
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
  /** This engine's name (the host name unless set), so operators running several tell them apart. */
  engine: string;
  sinks: SinkStatus[];
  /** Attachments kept under the data dir; absent where the engine keeps none. */
  attachments?: AttachmentsStatus;
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
