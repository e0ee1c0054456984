// One account's catch-up: its scheduler, its runs against the provider's REST API, the possible gap it is there
// to close, and the status the window and `mailbridge status` show. Commits go through the engine's one commit
// path with no cursor, so the replay cursor is left alone.
import { MESSAGE_RECEIVED, type MailEvent } from '../../shared/event.ts';
import type { CatchUpStatus, PossibleGap } from '../../shared/status.ts';
import type { Timers } from '../clock.ts';
import { errorMessage, type Logger } from '../log.ts';
import type { ProviderAdapter } from '../providers/adapter.ts';
import type { RestTarget } from '../providers/rest.ts';
import type { SlidingWindow } from '../rate-limit.ts';
import type { CommitResult } from '../store/events.ts';
import type { CatchUpReason } from '../upstream/connection.ts';
import { pacedGet, requestWindow } from './paced-get.ts';
import { windowStart, type AccountStart, type CatchUpPolicy } from './policy.ts';
import { runCatchUp, type RunReport } from './run.ts';
import { CatchUpScheduler, type RunCause, type RunVerdict } from './scheduler.ts';
import type { CatchUpStateStore } from './state-store.ts';

export interface AccountCatchUpOptions {
  account: string;
  adapter: ProviderAdapter;
  /** Empty: every inbox the key can list. */
  inboxIds: readonly string[];
  /** Empty: every type. */
  eventTypes: readonly string[];
  /** The account's REST base and key now; null without a key. */
  rest(): RestTarget | null;
  /** The account's REST request window, when other callers share it; one of catch-up's own otherwise. */
  requests?: SlidingWindow;
  /** Whether the account already holds this mail (event id or message key). */
  holds(event: MailEvent): boolean;
  /** The engine's one commit path, without a cursor. */
  commit(events: readonly MailEvent[]): CommitResult;
  /** A catch-up that started at `startedAt` completed: the connection may close its own possible gap. */
  covered(startedAt: number): void;
  state: CatchUpStateStore;
  start: AccountStart;
  policy: CatchUpPolicy;
  timers: Timers;
  random: () => number;
  log: Logger;
  onChange(): void;
}

export class AccountCatchUp {
  readonly #o: AccountCatchUpOptions;
  readonly #scheduler: CatchUpScheduler;
  readonly #window: SlidingWindow;
  readonly #abort = new AbortController();
  readonly #enabled: boolean;
  #gap: PossibleGap | null = null;
  #lastRunAt: number | null = null;
  #lastRecovered = 0;
  #recovered = 0;
  #skipped = 0;
  #lastError: string | null = null;
  /** Recent mail the last run left to the socket, and when that run started. */
  #deferred: { events: MailEvent[]; startedAt: number } | null = null;

  constructor(options: AccountCatchUpOptions) {
    this.#o = options;
    this.#window = options.requests ?? requestWindow(options.adapter.catchUp.requestsPerMinute);
    this.#enabled = options.eventTypes.length === 0 || options.eventTypes.includes(MESSAGE_RECEIVED);
    this.#scheduler = new CatchUpScheduler(options.policy, options.timers, options.random, (startedAt, cause) => this.#run(startedAt, cause), options.onChange);
  }

  start(): void {
    if (this.#enabled) this.#scheduler.start();
  }

  stop(): void {
    this.#scheduler.stop();
    this.#abort.abort();
  }

  /** Something suggests mail was missed: a reason from the connection opens a possible gap until a catch-up
   * that starts after it completes. */
  trigger(reason: CatchUpReason): void {
    if (!this.#enabled) return;
    if (reason !== 'wake' && this.#gap === null) {
      this.#gap = { at: new Date(this.#o.timers.now()).toISOString(), reason: this.#gapReason(reason) };
      this.#o.onChange();
    }
    this.#scheduler.request();
  }

  keyChanged(): void {
    this.#scheduler.keyChanged();
  }

  status(): CatchUpStatus {
    const { state, nextRunAt } = this.#scheduler.view();
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    return {
      state: !this.#enabled ? 'off' : state === 'stopped' ? 'idle' : state,
      lastRunAt: iso(this.#lastRunAt),
      lastRecovered: this.#lastRecovered,
      recovered: this.#recovered,
      gap: this.#gap,
      lastError: this.#lastError,
      nextRunAt: iso(nextRunAt),
      skipped: this.#skipped,
    };
  }

  async #run(startedAt: number, cause: RunCause): Promise<RunVerdict> {
    const { account, adapter, state, policy, log } = this.#o;
    if (this.#abort.signal.aborted) return { kind: 'done' };
    // Asked back for mail the last run left to the socket: if the socket brought all of it, that run is complete.
    const deferred = this.#deferred;
    this.#deferred = null;
    if (cause === 'again' && deferred !== null && deferred.events.every((event) => this.#o.holds(event))) {
      return this.#completed(deferred.startedAt);
    }
    const target = this.#o.rest();
    if (target === null) {
      this.#lastError = 'no API key: run `mailbridge login` or set MAILBRIDGE_API_KEY';
      return { kind: 'needs_key' };
    }
    let report: RunReport;
    try {
      report = await runCatchUp({
        api: adapter.catchUp,
        get: pacedGet({
          target,
          window: this.#window,
          timers: this.#o.timers,
          signal: this.#abort.signal,
          maxRateLimitWaitMs: policy.maxRateLimitWaitMs,
        }),
        inboxIds: this.#o.inboxIds,
        windowStart: (inboxId) => windowStart(state.watermark(account, inboxId), this.#o.start, policy),
        // Mail left to the socket once and still missing is taken now, however recent it looks: the provider's clock
        // may run ahead of ours.
        until: cause === 'again' && deferred !== null ? Number.POSITIVE_INFINITY : startedAt - policy.settleMs,
        // Once the account is gone (or the engine stops and closes the store), nothing is read or written.
        holds: (event) => this.#abort.signal.aborted || this.#o.holds(event),
        commit: (events) => (this.#abort.signal.aborted ? 0 : this.#o.commit(events).stored.length),
        listed: (inboxId, at) => {
          if (!this.#abort.signal.aborted) state.raiseWatermark(account, inboxId, at);
        },
        commitEvery: policy.commitEvery,
      });
    } catch (error) {
      if (this.#abort.signal.aborted) return { kind: 'done' };
      // The store refused the commit (a full disk): the mail is listed again next time.
      this.#lastError = `store failed: ${errorMessage(error)}`;
      log.error(`[${account}] catch-up could not store what it fetched: ${errorMessage(error)}`);
      return { kind: 'failed', minDelayMs: 0 };
    }
    if (this.#abort.signal.aborted) return { kind: 'done' };
    this.#recovered += report.recovered;
    this.#skipped += report.skipped;
    if (report.skipped > 0) log.warn(`[${account}] catch-up left out ${report.skipped} listed message(s) that did not map onto the event shape`);
    if (report.failure !== null) {
      this.#lastError = report.failure.message;
      log.warn(`[${account}] catch-up incomplete (${report.failure.kind}), ${report.recovered} recovered: ${report.failure.message}`);
      if (report.failure.kind === 'needs_key') return { kind: 'needs_key' };
      return { kind: 'failed', minDelayMs: report.failure.retryAfterMs ?? 0 };
    }
    this.#lastRecovered = report.recovered;
    this.#lastError = null;
    if (report.recovered > 0) log.info(`[${account}] catch-up recovered ${report.recovered} mail(s) the socket had not delivered`);
    if (report.deferred.length === 0) return this.#completed(startedAt);
    // Complete but for the newest mail, which the socket is most likely pushing: look again once it had time to.
    this.#deferred = { events: report.deferred, startedAt };
    this.#lastRunAt = this.#o.timers.now();
    return { kind: 'done', againInMs: policy.settleMs };
  }

  /** Everything up to a run that started at `startedAt` is held: a gap noted before then is closed. */
  #completed(startedAt: number): RunVerdict {
    this.#lastRunAt = this.#o.timers.now();
    if (this.#gap !== null && Date.parse(this.#gap.at) <= startedAt) this.#gap = null;
    this.#o.covered(startedAt);
    return { kind: 'done' };
  }

  #gapReason(reason: Exclude<CatchUpReason, 'wake'>): string {
    switch (reason) {
      case 'no_replay':
        return `${this.#o.adapter.name} cannot replay what arrived while the socket was down`;
      case 'no_cursor':
        return 'no replay cursor yet';
      case 'cursor_unknown':
        return 'the provider no longer knows the replay cursor';
      case 'replay_gap':
        return 'a replay ended with a possible gap still open';
    }
  }
}
