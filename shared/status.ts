// What the engine reports about itself: the tray, the window, `mailbridge status` and `GET /v1/status` all read this.

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
