// Catch-up for every account: the one object the engine builds. It listens to each account's connection for
// the moments replay cannot cover (a wake among them), and to its own interval; remembers across restarts
// where each account's window starts; and reports per account what it recovered and whether a gap is open.
import { MESSAGE_RECEIVED, type MailEvent } from '../../shared/event.ts';
import type { CatchUpStatus } from '../../shared/status.ts';
import { systemTimers, type Timers } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { ProviderAdapter } from '../providers/adapter.ts';
import type { RestTarget } from '../providers/rest.ts';
import type { SlidingWindow } from '../rate-limit.ts';
import type { Database } from '../store/db.ts';
import type { CommitResult, EventStore } from '../store/events.ts';
import type { CatchUpReason } from '../upstream/connection.ts';
import { AccountCatchUp } from './account.ts';
import { accountStart, DEFAULT_CATCH_UP, type CatchUpPolicy } from './policy.ts';
import { CatchUpStateStore } from './state-store.ts';

/** What catch-up needs of an account's connection (UpstreamConnection). */
export interface CatchUpSource {
  onCatchUp(listener: (reason: CatchUpReason) => void): () => void;
  caughtUp(startedAt: number): void;
}

export interface CatchUpOptions {
  db: Database;
  events: EventStore;
  log: Logger;
  policy?: Partial<CatchUpPolicy>;
  timers?: Timers;
  random?: () => number;
  /** Some account's catch-up status changed. */
  onChange(): void;
}

export interface CatchUpAccount {
  account: string;
  adapter: ProviderAdapter;
  inboxIds: readonly string[];
  eventTypes: readonly string[];
  source: CatchUpSource;
  rest(): RestTarget | null;
  commit(events: readonly MailEvent[]): CommitResult;
  /** The account's REST request window, shared with whatever else calls its REST API; catch-up's own when absent. */
  requests?: SlidingWindow;
}

/** Events stored before message keys existed get theirs when their account starts, this far back: enough for
 * any late push and any catch-up window to find them. */
const KEY_BACKFILL_MS = 24 * 60 * 60 * 1000;
const KEY_BACKFILL_LIMIT = 10_000;

export class CatchUp {
  readonly #o: CatchUpOptions;
  readonly #policy: CatchUpPolicy;
  readonly #timers: Timers;
  readonly #state: CatchUpStateStore;
  readonly #accounts = new Map<string, { catchUp: AccountCatchUp; unsubscribe: () => void }>();

  constructor(options: CatchUpOptions) {
    this.#o = options;
    this.#policy = { ...DEFAULT_CATCH_UP, ...options.policy };
    this.#timers = options.timers ?? systemTimers;
    this.#state = new CatchUpStateStore(options.db);
  }

  /** Starts catch-up for an account, replacing one of the same name. */
  attach(account: CatchUpAccount): void {
    this.detach(account.account);
    const { events, log } = this.#o;
    const now = this.#timers.now();
    events.keyRecent(account.account, now - KEY_BACKFILL_MS, KEY_BACKFILL_LIMIT);
    const start = this.#state.accountStart(account.account, () =>
      accountStart(now, events.newestOccurredAt(account.account, MESSAGE_RECEIVED), this.#policy),
    );
    const catchUp = new AccountCatchUp({
      account: account.account,
      adapter: account.adapter,
      inboxIds: account.inboxIds,
      eventTypes: account.eventTypes,
      rest: account.rest,
      ...(account.requests && { requests: account.requests }),
      holds: (event) => events.holds(account.account, event),
      commit: account.commit,
      covered: (startedAt) => account.source.caughtUp(startedAt),
      state: this.#state,
      start,
      policy: this.#policy,
      timers: this.#timers,
      random: this.#o.random ?? Math.random,
      log,
      onChange: this.#o.onChange,
    });
    const unsubscribe = account.source.onCatchUp((reason) => catchUp.trigger(reason));
    this.#accounts.set(account.account, { catchUp, unsubscribe });
    catchUp.start();
  }

  detach(account: string): void {
    const entry = this.#accounts.get(account);
    if (!entry) return;
    entry.unsubscribe();
    entry.catchUp.stop();
    this.#accounts.delete(account);
  }

  keyChanged(account: string): void {
    this.#accounts.get(account)?.catchUp.keyChanged();
  }

  status(account: string): CatchUpStatus | undefined {
    return this.#accounts.get(account)?.catchUp.status();
  }

  stop(): void {
    for (const account of [...this.#accounts.keys()]) this.detach(account);
  }
}
