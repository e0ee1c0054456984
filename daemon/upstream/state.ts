// The upstream connection's state machine, as the tray, the window and `mailbridge status` see it.
import type { ConnectionState, PossibleGap, ProviderName, UpstreamCounters, UpstreamStatus } from '../../shared/status.ts';

const ALLOWED: Record<ConnectionState, readonly ConnectionState[]> = {
  connecting: ['subscribing', 'backoff', 'needs_key', 'stopped', 'connecting'],
  subscribing: ['live', 'backoff', 'needs_key', 'stopped', 'connecting', 'stale'],
  live: ['stale', 'backoff', 'needs_key', 'stopped', 'connecting'],
  stale: ['connecting', 'backoff', 'stopped'],
  backoff: ['connecting', 'stopped', 'needs_key'],
  needs_key: ['connecting', 'stopped'],
  stopped: ['connecting', 'needs_key'],
};

export function canTransition(from: ConnectionState, to: ConnectionState): boolean {
  return ALLOWED[from].includes(to);
}

export class InvalidTransitionError extends Error {
  constructor(from: ConnectionState, to: ConnectionState) {
    super(`upstream state cannot go from ${from} to ${to}`);
    this.name = 'InvalidTransitionError';
  }
}

export interface TransitionDetails {
  lastError?: string | null;
  nextRetryAt?: number | null;
}

/** Holds one account's status and tells listeners about every change. */
export class UpstreamStatusTracker {
  #status: UpstreamStatus;
  readonly #now: () => number;
  readonly #listeners = new Set<(status: UpstreamStatus) => void>();

  constructor(init: { account: string; provider: ProviderName; url: string; cursor: string | null }, now: () => number) {
    this.#now = now;
    const counters: UpstreamCounters = { connects: 0, frames: 0, events: 0, duplicates: 0, malformed: 0, errors: 0 };
    this.#status = {
      ...init,
      state: 'stopped',
      since: new Date(now()).toISOString(),
      attempt: 0,
      lastError: null,
      nextRetryAt: null,
      lastEventAt: null,
      possibleGap: null,
      counters,
    };
  }

  get state(): ConnectionState {
    return this.#status.state;
  }

  get attempt(): number {
    return this.#status.attempt;
  }

  get possibleGap(): PossibleGap | null {
    return this.#status.possibleGap;
  }

  snapshot(): UpstreamStatus {
    return { ...this.#status, counters: { ...this.#status.counters } };
  }

  onChange(listener: (status: UpstreamStatus) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  transition(to: ConnectionState, details: TransitionDetails = {}): void {
    const from = this.#status.state;
    if (!canTransition(from, to)) throw new InvalidTransitionError(from, to);
    this.#status.state = to;
    this.#status.since = new Date(this.#now()).toISOString();
    if (details.lastError !== undefined) this.#status.lastError = details.lastError;
    this.#status.nextRetryAt =
      details.nextRetryAt === undefined || details.nextRetryAt === null ? null : new Date(details.nextRetryAt).toISOString();
    this.#emit();
  }

  setAttempt(attempt: number): void {
    this.#status.attempt = attempt;
  }

  count(counter: keyof UpstreamCounters, by = 1): void {
    this.#status.counters[counter] += by;
  }

  recordEvents(cursor: string | null, at: number): void {
    this.#status.cursor = cursor;
    this.#status.lastEventAt = new Date(at).toISOString();
    this.#emit();
  }

  setCursor(cursor: string | null): void {
    this.#status.cursor = cursor;
  }

  setGap(gap: PossibleGap | null): void {
    this.#status.possibleGap = gap;
    this.#emit();
  }

  #emit(): void {
    const snapshot = this.snapshot();
    for (const listener of this.#listeners) listener(snapshot);
  }
}
