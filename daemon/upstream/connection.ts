// One account's persistent upstream socket: connect, subscribe with the replay cursor, commit every event
// before the cursor moves, detect half-open sockets, and come back at once on wake.
import WebSocket from 'ws';
import type { MailEvent } from '../../shared/event.ts';
import type { UpstreamStatus } from '../../shared/status.ts';
import { MAX_FRAME_BYTES, type CloseAction, type Frame, type ProviderAdapter } from '../providers/adapter.ts';
import { errorMessage, type Logger } from '../log.ts';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.ts';
import { DEFAULT_HEARTBEAT, Heartbeat, type HeartbeatPolicy } from './heartbeat.ts';
import { SlidingWindow } from '../rate-limit.ts';
import { UpstreamStatusTracker } from './state.ts';
import { systemTimers, type TimerHandle, type Timers } from './timers.ts';

export interface CommitResult {
  stored: number;
  duplicates: number;
}

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

/** The URL as shown to people: no credentials, no query (which may hold a token). */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

/**
 * One replay page: the first `replayCap` events after the provider acknowledged a subscribe that carried a cursor.
 * Until the replay is known to be complete, the persisted cursor follows the page, never a live event that
 * arrived beside it: a cursor past unreplayed events would skip them for good.
 */
interface ReplayWindow {
  acknowledged: boolean;
  count: number;
  /** The page's last event: where the next page starts, and the furthest cursor safe to persist. */
  lastId: string | null;
  settle: TimerHandle | null;
}

export class UpstreamConnection {
  readonly account: string;
  readonly #o: Required<Omit<UpstreamOptions, 'apiKey' | 'cursor'>>;
  readonly #status: UpstreamStatusTracker;
  #apiKey: string | null;
  #cursor: string | null;
  #ws: WebSocket | null = null;
  #heartbeat: Heartbeat | null = null;
  #limiter: SlidingWindow | null = null;
  #outbox: string[] = [];
  #outboxTimer: TimerHandle | null = null;
  #connectTimer: TimerHandle | null = null;
  #retryTimer: TimerHandle | null = null;
  #stableTimer: TimerHandle | null = null;
  #pending: MailEvent[] = [];
  /** The cursor to persist with the pending events. */
  #pendingCursor: string | null = null;
  /** The newest event received, which becomes the cursor once a replay is complete. */
  #newestId: string | null = null;
  #flushScheduled = false;
  #replay: ReplayWindow | null = null;
  #pagingReplay = false;
  #lastWake = -Infinity;

  constructor(options: UpstreamOptions) {
    this.account = options.account;
    this.#apiKey = options.apiKey;
    this.#cursor = options.cursor;
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
  }

  status(): UpstreamStatus {
    return this.#status.snapshot();
  }

  onStatus(listener: (status: UpstreamStatus) => void): () => void {
    return this.#status.onChange(listener);
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
  }

  stop(): void {
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
    this.#limiter = new SlidingWindow(this.#o.adapter.clientRate.messages, this.#o.adapter.clientRate.perMs);
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
      this.#onFrame(this.#o.adapter.classify(rawText(data)));
    });
    ws.on('pong', () => ws === this.#ws && this.#heartbeat?.alive());
    ws.on('ping', () => ws === this.#ws && this.#heartbeat?.alive());
    ws.on('unexpected-response', (request, response) => {
      if (ws !== this.#ws) return;
      const status = response.statusCode ?? 0;
      response.resume();
      request.destroy();
      const action = this.#o.adapter.onHandshakeStatus(status);
      this.#failed({ ...action, reason: `provider refused the connection: HTTP ${status} (${action.reason})` });
    });
    ws.on('error', (error) => {
      if (ws !== this.#ws) return;
      this.#failed({ action: 'reconnect', minDelayMs: 0, reason: errorMessage(error) });
    });
    ws.on('close', (code, reasonBuffer) => {
      if (ws !== this.#ws) return;
      const reason = reasonBuffer.toString('utf8').slice(0, 200);
      const action = this.#o.adapter.onClose(code, reason);
      this.#failed({ ...action, reason: `closed by provider: ${code}${reason ? ` ${reason}` : ''} (${action.reason})` });
    });
  }

  #subscribe(): void {
    const lastEventId = this.#o.adapter.supportsReplay ? this.#cursor : null;
    if (this.#replay?.settle) this.#o.timers.clearTimeout(this.#replay.settle);
    this.#replay = lastEventId !== null && this.#o.adapter.replayCap !== null ? { acknowledged: false, count: 0, lastId: null, settle: null } : null;
    this.#send(this.#o.adapter.subscribeFrame({ inboxIds: this.#o.inboxIds, eventTypes: this.#o.eventTypes, lastEventId }));
  }

  #onFrame(frame: Frame): void {
    switch (frame.kind) {
      case 'event':
        this.#pending.push(frame.event);
        this.#newestId = frame.event.event_id;
        this.#pendingCursor = this.#replayCursor(frame.event.event_id);
        if (!this.#flushScheduled) {
          // Frames that arrive in one read are committed in one transaction.
          this.#flushScheduled = true;
          setImmediate(() => this.#flush());
        }
        return;
      case 'subscribed':
        if (this.#status.state === 'subscribing') this.#live();
        if (this.#replay) this.#replay.acknowledged = true;
        this.#armReplaySettle();
        return;
      case 'ping':
        if (frame.reply) this.#send(frame.reply);
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
    this.#o.log.info(`[${this.account}] live on ${displayUrl(this.#o.url)}${this.#cursor ? ` (resuming after ${this.#cursor})` : ''}`);
    this.#stableTimer = this.#o.timers.setTimeout(() => this.#status.setAttempt(0), this.#o.backoff.stableMs);
  }

  #onProviderError(kind: string, message: string): void {
    this.#status.count('errors');
    this.#o.log.warn(`[${this.account}] provider error (${kind}): ${message.slice(0, 200)}`);
    if (kind === 'unauthorized') {
      this.#teardown();
      this.#status.transition('needs_key', { lastError: `the provider rejected the API key: ${message.slice(0, 200)}` });
    } else if (kind === 'cursor_unknown') {
      this.#cursor = null;
      this.#replay = null;
      this.#o.clearCursor();
      this.#status.setCursor(null);
      this.#status.setGap({ at: this.#isoNow(), reason: 'the provider did not recognise the replay cursor; events before this may be missing' });
      this.#subscribe();
    }
  }

  #flush(): void {
    this.#flushScheduled = false;
    const events = this.#pending;
    if (events.length === 0) return;
    this.#pending = [];
    const cursor = this.#pendingCursor;
    let result: CommitResult;
    try {
      result = this.#o.commit(events, cursor);
    } catch (error) {
      // Not committed means not acknowledged: drop the socket so the provider replays from the old cursor.
      this.#o.log.error(`[${this.account}] could not store ${events.length} event(s): ${errorMessage(error)}`);
      if (this.#ws) this.#failed({ action: 'reconnect', minDelayMs: 1_000, reason: `store failed: ${errorMessage(error)}` });
      return;
    }
    this.#cursor = cursor;
    this.#status.count('events', result.stored);
    this.#status.count('duplicates', result.duplicates);
    this.#status.recordEvents(cursor, this.#o.timers.now());
    const replay = this.#replay;
    if (replay && replay.count === this.#o.adapter.replayCap && this.#ws) {
      // The provider stopped at its cap: ask again from the page's end until a page comes back short.
      this.#pagingReplay = true;
      this.#status.setGap({ at: this.#isoNow(), reason: `replay hit the provider's ${replay.count}-event cap; fetching the rest` });
      this.#subscribe();
    }
  }

  /** Counts an arriving event into the replay page and returns the cursor that may be persisted with it. */
  #replayCursor(eventId: string): string | null {
    const replay = this.#replay;
    if (!replay) return eventId;
    if (replay.acknowledged && replay.count < this.#o.adapter.replayCap!) {
      replay.count += 1;
      replay.lastId = eventId;
      this.#armReplaySettle();
    }
    return replay.lastId ?? this.#cursor;
  }

  #armReplaySettle(): void {
    const replay = this.#replay;
    if (!replay) return;
    if (replay.settle !== null) this.#o.timers.clearTimeout(replay.settle);
    replay.settle = this.#o.timers.setTimeout(() => {
      if (this.#replay !== replay || replay.count === this.#o.adapter.replayCap) return;
      // A short page: the backlog is done, and everything received since is safe to persist as the cursor.
      this.#replay = null;
      this.#flush();
      if (this.#newestId !== null && this.#newestId !== this.#cursor) this.#commitCursor(this.#newestId);
      if (this.#pagingReplay) {
        this.#pagingReplay = false;
        this.#status.setGap(null);
      }
    }, this.#o.replaySettleMs);
  }

  #commitCursor(cursor: string): void {
    try {
      this.#o.commit([], cursor);
      this.#cursor = cursor;
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

  #send(frame: string): void {
    this.#outbox.push(frame);
    this.#drainOutbox();
  }

  #drainOutbox(): void {
    const ws = this.#ws;
    const limiter = this.#limiter;
    if (!ws || !limiter || this.#outboxTimer !== null) return;
    while (this.#outbox.length > 0 && ws.readyState === WebSocket.OPEN) {
      const wait = limiter.waitMs(this.#o.timers.now());
      if (wait > 0) {
        this.#outboxTimer = this.#o.timers.setTimeout(() => {
          this.#outboxTimer = null;
          this.#drainOutbox();
        }, wait);
        return;
      }
      limiter.record(this.#o.timers.now());
      ws.send(this.#outbox.shift()!);
    }
  }

  #failed(action: CloseAction): void {
    this.#teardown();
    if (this.#status.state === 'stopped' || this.#status.state === 'needs_key') return;
    if (action.action === 'needs_key') {
      this.#o.log.error(`[${this.account}] ${action.reason}: run \`mailbridge login\` to store a new key`);
      this.#status.transition('needs_key', { lastError: action.reason });
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
    for (const timer of [this.#connectTimer, this.#stableTimer, this.#outboxTimer, this.#replay?.settle ?? null]) {
      if (timer !== null) this.#o.timers.clearTimeout(timer);
    }
    this.#connectTimer = this.#stableTimer = this.#outboxTimer = null;
    this.#replay = null;
    this.#outbox = [];
    this.#limiter = null;
    if (this.#pending.length > 0) this.#flush();
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

function rawText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
