// What the bench sends the daemon child over IPC, and what the child reports back.
import type { CatchUpPolicy } from '../daemon/catchup/policy.ts';
import type { ForwardDelivery } from '../shared/forward-delivery.ts';
import type { ProviderName } from '../shared/status.ts';

export interface ChildAccount {
  name: string;
  provider: ProviderName;
  url: string;
  /** The provider's REST base, for catch-up. */
  apiUrl?: string;
  apiKey: string;
}

export interface ChildForwardTarget {
  id: string;
  url: string;
  secret: string;
  /** Omitted: the defaults (local retries, strict order). */
  delivery?: ForwardDelivery;
}

export interface ChildOptions {
  dataDir: string;
  accounts: ChildAccount[];
  port: number;
  unixSocket: boolean;
  forwardTargets: ChildForwardTarget[];
  /** Omitted: the engine's defaults, as a person runs it. */
  heartbeat?: { quietMs: number; timeoutMs: number };
  backoff?: { baseMs: number; capMs: number; stableMs: number };
  retention?: { maxAgeDays: number | null; maxEvents: number | null };
  catchUp?: Partial<CatchUpPolicy>;
  verbose?: boolean;
  /** Publish every event into this JetStream broker (stream MAILBRIDGE, subjects mailbridge.>, no credentials). */
  natsUrl?: string;
}

export type ChildMessage =
  | { type: 'ready'; pid: number; url: string | null; socket: string | null; tokenFile: string | null }
  /** `at`: when the state was entered (epoch ms). */
  | { type: 'state'; account: string; state: string; at: number }
  | { type: 'failed'; message: string };
