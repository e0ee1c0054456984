// One account's persistent upstream socket: connect, subscribe, go live, and come back after a drop, a half-open
// socket or a wake. This file owns the socket's lifecycle and wires the jobs beside it: replay.ts (which cursor may
// be persisted, when to ask for the next page), commit-batch.ts, outbox.ts, provider-errors.ts and heartbeat.ts.
import WebSocket from 'ws';
import type { MailEvent } from '../../shared/event.ts';
import type { UpstreamStatus } from '../../shared/status.ts';
import { MAX_FRAME_BYTES, type CloseAction, type ErrorKind, type Frame, type ProviderAdapter } from '../providers/adapter.ts';
import { errorMessage, type Logger } from '../log.ts';
import { messageText } from '../ws-text.ts';
import type { CommitResult } from '../store/events.ts';
import { systemTimers, type TimerHandle, type Timers } from '../clock.ts';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.ts';
import { CommitBatch } from './commit-batch.ts';
import { DEFAULT_HEARTBEAT, Heartbeat, type HeartbeatPolicy } from './heartbeat.ts';
import { Outbox } from './outbox.ts';
import { closeResponse, errorFrameResponse, handshakeResponse } from './provider-errors.ts';
import { ReplayPager } from './replay.ts';
import { UpstreamStatusTracker } from './state.ts';

export interface UpstreamOptions {
  account: string;
  adapter: ProviderAdapter;
  url: string;
  apiKey: string | null;
  inboxIds: string[];
  eventTypes: string[];
  /** The committed replay cursor at start. */
  cursor: string | null;
  /** Durably stores events together with the cursor that follows them; must be synchronous. */
  commit: (events: readonly MailEvent[], cursor: string | null) => CommitResult;
  /** Forget the persisted cursor (the provider no longer knows it). */
  clearCursor: () => void;
  log: Logger;
  timers?: Timers;
  random?: () => number;
  backoff?: BackoffPolicy;
  heartbeat?: HeartbeatPolicy;
  /** Time allowed from starting a connection to the provider acknowledging the subscription. */
  connectTimeoutMs?: number;
  /** Quiet time after which a replay is taken as finished. */
  replaySettleMs?: number;
  maxPayloadBytes?: number;
  /** Wakes closer together than this are one wake (resume and unlock often fire together). */
  wakeDebounceMs?: number;
}

/**
 * Why mail may have been missed that replay cannot bring back, so a catch-up over REST is due: the provider
 * cannot replay at all (each connect), there is no cursor yet, the provider no longer knows the cursor, or a
 * replay ended with a possible gap still open.
 */
export type CatchUpReason = 'no_replay' | 'no_cursor' | 'cursor_unknown' | 'replay_gap' | 'wake';

/** The URL as shown to people: no credentials, no query (which may hold a token). */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

export class UpstreamConnection {
  readonly account: string;
  readonly #o: Required<Omit<UpstreamOptions, 'apiKey' | 'cursor'>>;
  readonly #status: UpstreamStatusTracker;
  #apiKey: string | null;
  #ws: WebSocket | null = null;
  #heartbeat: Heartbeat | null = null;
  #outbox: Outbox | null = null;
  #connectTimer: TimerHandle | null = null;
  #retryTimer: TimerHandle | null = null;
  #stableTimer: TimerHandle | null = null;
  readonly #replay: ReplayPager;
  readonly #batch: CommitBatch;
  readonly #catchUpListeners = new Set<(reason: CatchUpReason) => void>();
  /** A wake asked for a catch-up that waits for the replay the reconnect brings (see wake()). */
  #catchUpAfterReplay = false;
  /** The open possible gap is one only a catch-up can close (an unknown cursor), not a replay still paging. */
  #gapNeedsCatchUp = false;
  #lastWake = -Infinity;

  constructor(options: UpstreamOptions) {
    this.account = options.account;
    this.#apiKey = options.apiKey;
    this.#o = {
      timers: systemTimers,
      random: Math.random,
      backoff: DEFAULT_BACKOFF,
      heartbeat: DEFAULT_HEARTBEAT,
      connectTimeoutMs: 10_000,
      replaySettleMs: 1_000,
      maxPayloadBytes: MAX_FRAME_BYTES,
      wakeDebounceMs: 1_000,
      ...options,
    };
    if (options.apiKey) options.log.redact(options.apiKey);
    this.#status = new UpstreamStatusTracker(
      { account: options.account, provider: options.adapter.name, url: displayUrl(options.url), cursor: options.cursor },
      () => this.#o.timers.now(),
    );
    const { adapter, timers } = this.#o;
    this.#replay = new ReplayPager(
      { supportsReplay: adapter.supportsReplay, cap: adapter.replayCap, settleMs: this.#o.replaySettleMs },
      timers,
      options.cursor,
      (pagedPastCap) => this.#replayComplete(pagedPastCap),
    );
    this.#batch = new CommitBatch({
      commit: this.#o.commit,
      cursor: () => this.#replay.persistable,
      committed: (cursor, result) => this.#committed(cursor, result),
      failed: (error, count) => {
        // Not committed means not acknowledged: drop the socket so the provider replays from the old cursor.
        this.#o.log.error(`[${this.account}] could not store ${count} event(s): ${errorMessage(error)}`);
        if (this.#ws) this.#failed({ action: 'reconnect', minDelayMs: 1_000, reason: `store failed: ${errorMessage(error)}` });
      },
    });
  }

  status(): UpstreamStatus {
    return this.#status.snapshot();
  }

  onStatus(listener: (status: UpstreamStatus) => void): () => void {
    return this.#status.onChange(listener);
  }

  /** Called whenever replay cannot cover what the socket may have missed (see CatchUpReason). */
  onCatchUp(listener: (reason: CatchUpReason) => void): () => void {
    this.#catchUpListeners.add(listener);
    return () => this.#catchUpListeners.delete(listener);
  }

  /** A catch-up that started at `startedAt` (epoch ms) finished: a possible gap noted by then that replay could
   * not close is closed. */
  caughtUp(startedAt: number): void {
    const gap = this.#status.possibleGap;
    if (gap === null || !this.#gapNeedsCatchUp || Date.parse(gap.at) > startedAt) return;
    this.#gapNeedsCatchUp = false;
    this.#status.setGap(null);
  }

  start(): void {
    if (this.#status.state !== 'stopped') return;
    this.#connectOrAskForKey();
  }

  /** A new key (from login or the window): try it at once. */
  setApiKey(apiKey: string): void {
    this.#apiKey = apiKey;
    this.#o.log.redact(apiKey);
    if (this.#status.state === 'needs_key') this.#connectNow();
  }

  /**
   * The machine woke, the screen unlocked or the network changed: the old socket may look open but be dead,
   * so it goes unconditionally and a new one is made at once.
   */
  wake(reason: string): void {
    const state = this.#status.state;
    if (state === 'stopped' || state === 'needs_key') return;
    const now = this.#o.timers.now();
    if (now - this.#lastWake < this.#o.wakeDebounceMs) return;
    this.#lastWake = now;
    this.#o.log.info(`[${this.account}] wake (${reason}): reconnecting now`);
    this.#status.setAttempt(0);
    this.#connectNow();
    // A sleep may hide mail that replay cannot bring, so a wake asks for a catch-up too. Where replay resumes from a
    // cursor, the catch-up waits until that replay is done (or the socket fails), so the mail the replay brings comes
    // as the provider's own events, with their ids, rather than as catch-up's listing of them.
    if (this.#o.adapter.supportsReplay && this.#replay.cursor !== null) this.#catchUpAfterReplay = true;
    else this.#needCatchUp('wake');
  }

  stop(): void {
    this.#catchUpAfterReplay = false;
    this.#teardown();
    this.#clearRetry();
    if (this.#status.state !== 'stopped') this.#status.transition('stopped', { lastError: null });
  }

  #connectOrAskForKey(): void {
    if (!this.#apiKey) {
      this.#status.transition('needs_key', { lastError: 'no API key: run `mailbridge login` or set MAILBRIDGE_API_KEY' });
      return;
    }
    this.#connectNow();
  }

  #connectNow(): void {
    this.#teardown();
    this.#clearRetry();
    const apiKey = this.#apiKey;
    if (!apiKey) return this.#connectOrAskForKey();
    this.#status.setAttempt(this.#status.attempt + 1);
    this.#status.transition('connecting');
    const { url, headers } = this.#o.adapter.connectRequest(this.#o.url, apiKey);
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, {
        headers,
        maxPayload: this.#o.maxPayloadBytes,
        handshakeTimeout: this.#o.connectTimeoutMs,
      });
    } catch (error) {
      return this.#failed({ action: 'reconnect', minDelayMs: 0, reason: errorMessage(error) });
    }
    this.#ws = ws;
    this.#outbox = new Outbox(this.#o.adapter.clientRate, this.#o.timers, {
      ready: () => ws.readyState === WebSocket.OPEN,
      send: (frame) => ws.send(frame),
    });
    this.#connectTimer = this.#o.timers.setTimeout(() => {
      if (ws !== this.#ws) return;
      this.#failed({ action: 'reconnect', minDelayMs: 0, reason: 'timed out waiting for the provider to accept the subscription' });
    }, this.#o.connectTimeoutMs);

    ws.on('open', () => {
      if (ws !== this.#ws) return;
      this.#status.transition('subscribing');
      this.#heartbeat = new Heartbeat(this.#o.heartbeat, this.#o.timers, () => this.#ping(ws), () => this.#dead(ws));
      this.#heartbeat.start();
      this.#subscribe();
    });
    ws.on('message', (data, isBinary) => {
      if (ws !== this.#ws) return;
      this.#heartbeat?.alive();
      this.#status.count('frames');
      if (isBinary) {
        this.#status.count('malformed');
        this.#o.log.warn(`[${this.account}] ignored a binary frame`);
        return;
      }
      this.#onFrame(this.#o.adapter.classify(messageText(data)));
    });
    ws.on('pong', () => ws === this.#ws && this.#heartbeat?.alive());
    ws.on('ping', () => ws === this.#ws && this.#heartbeat?.alive());
    ws.on('unexpected-response', (request, response) => {
      if (ws !== this.#ws) return;
      const status = response.statusCode ?? 0;
      response.resume();
      request.destroy();
      this.#failed(handshakeResponse(this.#o.adapter, status));
    });
    ws.on('error', (error) => {
      if (ws !== this.#ws) return;
      this.#failed({ action: 'reconnect', minDelayMs: 0, reason: errorMessage(error) });
    });
    ws.on('close', (code, reasonBuffer) => {
      if (ws !== this.#ws) return;
      this.#failed(closeResponse(this.#o.adapter, code, reasonBuffer.toString('utf8').slice(0, 200)));
    });
  }

  #subscribe(): void {
    const lastEventId = this.#replay.subscribe();
    this.#outbox?.send(this.#o.adapter.subscribeFrame({ inboxIds: this.#o.inboxIds, eventTypes: this.#o.eventTypes, lastEventId }));
  }

  #onFrame(frame: Frame): void {
    switch (frame.kind) {
      case 'event':
        this.#replay.event(frame.event.event_id);
        this.#batch.add(frame.event);
        return;
      case 'subscribed':
        if (this.#status.state === 'subscribing') this.#live();
        this.#replay.acknowledged();
        return;
      case 'ping':
        if (frame.reply) this.#outbox?.send(frame.reply);
        return;
      case 'error':
        return this.#onProviderError(frame.error, frame.message);
      case 'unknown':
        this.#status.count('malformed');
        this.#o.log.warn(`[${this.account}] ignored a frame: ${frame.reason}`);
        return;
      case 'pong':
      case 'connected':
      case 'unsubscribed':
        return;
    }
  }

  #live(): void {
    if (this.#connectTimer !== null) this.#o.timers.clearTimeout(this.#connectTimer);
    this.#connectTimer = null;
    this.#status.count('connects');
    this.#status.transition('live', { lastError: null });
    const cursor = this.#replay.cursor;
    this.#o.log.info(`[${this.account}] live on ${displayUrl(this.#o.url)}${cursor ? ` (resuming after ${cursor})` : ''}`);
    this.#stableTimer = this.#o.timers.setTimeout(() => this.#status.setAttempt(0), this.#o.backoff.stableMs);
    if (!this.#o.adapter.supportsReplay) this.#needCatchUp('no_replay');
    else if (cursor === null) this.#needCatchUp('no_cursor');
  }

  #needCatchUp(reason: CatchUpReason): void {
    this.#catchUpAfterReplay = false;
    for (const listener of this.#catchUpListeners) listener(reason);
  }

  #onProviderError(kind: ErrorKind, message: string): void {
    this.#status.count('errors');
    this.#o.log.warn(`[${this.account}] provider error (${kind}): ${message.slice(0, 200)}`);
    const response = errorFrameResponse(kind, message);
    if (response.action === 'needs_key') {
      this.#teardown();
      this.#status.transition('needs_key', { lastError: response.reason });
      this.#wakeCatchUpNow();
    } else if (response.action === 'forget_cursor') {
      this.#replay.forget();
      this.#o.clearCursor();
      this.#status.setCursor(null);
      this.#status.setGap({ at: this.#isoNow(), reason: response.gap });
      this.#gapNeedsCatchUp = true;
      this.#subscribe();
      this.#needCatchUp('cursor_unknown');
    }
  }

  #committed(cursor: string | null, result: CommitResult): void {
    this.#status.count('events', result.stored.length);
    this.#status.count('duplicates', result.duplicates);
    this.#status.recordEvents(cursor, this.#o.timers.now());
    if (this.#replay.committed(cursor)) {
      // The provider stopped at its cap: ask again from the page's end until a page comes back short.
      this.#status.setGap({ at: this.#isoNow(), reason: `replay hit the provider's ${this.#o.adapter.replayCap}-event cap; fetching the rest` });
      this.#gapNeedsCatchUp = false;
      this.#subscribe();
    }
  }

  /** A short page ended the replay: everything received since is safe to persist as the cursor. */
  #replayComplete(pagedPastCap: boolean): void {
    this.#batch.flush();
    // A refused batch dropped the socket: the cursor stays behind what was not stored, and the replay comes again.
    if (!this.#ws) return;
    const cursor = this.#replay.persistable;
    if (cursor !== null && cursor !== this.#replay.cursor) this.#commitCursor(cursor);
    if (pagedPastCap) this.#status.setGap(null);
    else if (this.#status.possibleGap !== null) this.#needCatchUp('replay_gap');
    if (this.#catchUpAfterReplay) this.#needCatchUp('wake');
  }

  /** The socket failed before the wake's replay was done: REST may still reach what it cannot. */
  #wakeCatchUpNow(): void {
    if (this.#catchUpAfterReplay) this.#needCatchUp('wake');
  }

  #commitCursor(cursor: string): void {
    try {
      this.#o.commit([], cursor);
      this.#replay.committed(cursor);
      this.#status.setCursor(cursor);
    } catch (error) {
      this.#o.log.error(`[${this.account}] could not store the cursor: ${errorMessage(error)}`);
    }
  }

  #ping(ws: WebSocket): void {
    if (ws.readyState !== WebSocket.OPEN) return;
    try {
      ws.ping();
    } catch {
      // A socket closing under us surfaces through its 'close' event.
    }
  }

  #dead(ws: WebSocket): void {
    if (ws !== this.#ws) return;
    this.#status.transition('stale', { lastError: 'no answer to heartbeat: the connection was half-open' });
    this.#o.log.warn(`[${this.account}] heartbeat missed: dropping the half-open socket`);
    this.#teardown();
    this.#scheduleRetry(0, 'no answer to heartbeat');
  }

  #failed(action: CloseAction): void {
    this.#teardown();
    if (this.#status.state === 'stopped' || this.#status.state === 'needs_key') return;
    if (action.action === 'needs_key') {
      this.#o.log.error(`[${this.account}] ${action.reason}: run \`mailbridge login\` to store a new key`);
      this.#status.transition('needs_key', { lastError: action.reason });
      this.#wakeCatchUpNow();
      return;
    }
    this.#o.log.warn(`[${this.account}] ${action.reason}`);
    this.#scheduleRetry(action.minDelayMs, action.reason);
  }

  #scheduleRetry(minDelayMs: number, reason: string): void {
    this.#clearRetry();
    const delay = Math.max(minDelayMs, backoffDelay(this.#status.attempt, this.#o.backoff, this.#o.random));
    const at = this.#o.timers.now() + delay;
    this.#status.transition('backoff', { lastError: reason, nextRetryAt: at });
    this.#wakeCatchUpNow();
    this.#retryTimer = this.#o.timers.setTimeout(() => {
      this.#retryTimer = null;
      this.#connectNow();
    }, delay);
  }

  #clearRetry(): void {
    if (this.#retryTimer !== null) this.#o.timers.clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
  }

  /** Drops the current socket and everything tied to it; events already received are still committed. */
  #teardown(): void {
    const ws = this.#ws;
    this.#ws = null;
    this.#heartbeat?.stop();
    this.#heartbeat = null;
    this.#outbox?.stop();
    this.#outbox = null;
    for (const timer of [this.#connectTimer, this.#stableTimer]) {
      if (timer !== null) this.#o.timers.clearTimeout(timer);
    }
    this.#connectTimer = this.#stableTimer = null;
    this.#replay.abandon();
    this.#batch.flush();
    if (ws) {
      ws.removeAllListeners();
      ws.on('error', () => {});
      ws.terminate();
    }
  }

  #isoNow(): string {
    return new Date(this.#o.timers.now()).toISOString();
  }
}
