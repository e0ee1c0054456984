// The built-in simulated OpenMail: a real WebSocket server on loopback that speaks the provider's protocol
// (auth, subscribe filters, last_event_id replay, pings, limits, close codes). It is the upstream of
// `mailbridge run --demo`, and its fault controls let tests put the relay through drops, half-open
// sockets, restarts, duplicates, reordering and revoked keys. With a `flavour` it stands in for AgentMail or
// myagentmail instead: their handshake, frames and REST API, and no replay.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { MailEvent } from '../../shared/event.ts';
import type { ProviderName } from '../../shared/status.ts';
import { clientBudget, readClientMessage, type ClientFrame } from '../openmail-protocol/client-frames.ts';
import { REFUSALS, refuseUpgrade, requestUrl } from '../openmail-protocol/handshake.ts';
import {
  CLIENT_BUDGET,
  MAX_CLIENT_FRAME_BYTES,
  MAX_CONNECTIONS,
  PING_INTERVAL_MS,
  PONG_TIMEOUT_MS,
  REPLAY_CAP,
  WS_PATH,
} from '../openmail-protocol/policy.ts';
import { CONNECTION_LIMITED, KEY_REVOKED, closeWith, type ServerFrame } from '../openmail-protocol/server-frames.ts';
import { answerFrame, type ServerLog } from '../openmail-protocol/session.ts';
import { matches, type Subscription } from '../openmail-protocol/subscription.ts';
import type { MessageBudget, SlidingWindow } from '../rate-limit.ts';
import type { ThreadView } from './flavours/agentmail.ts';
import { greeting, pushFrame, replays, serverFrame, socketKey, type MyAgentMailPushForm } from './flavours/socket.ts';
import type { DemoMailbox } from './mailbox.ts';
import { DemoRestApi, type DemoRestOptions, type RestDownMode } from './rest/api.ts';
import { DEFAULT_INBOXES, SampleGenerator } from './samples.ts';

export interface DemoProviderOptions {
  /** 0 picks a free port. */
  port?: number;
  /** The accepted key (Bearer header or `?token=`); null accepts any key, or none. */
  apiKey?: string | null;
  /** Emit a sample mail every N ms; null emits only on `emit()`. */
  intervalMs?: number | null;
  pingIntervalMs?: number;
  /** A connection that has not answered a protocol ping within this is terminated. */
  pongTimeoutMs?: number;
  replayCap?: number;
  /** Client frames allowed per window, per connection; over it the connection is closed with 4029. */
  rateLimit?: MessageBudget;
  /** Open connections per key; over it, an error frame then close 4008. */
  maxConnections?: number;
  /** Largest client frame in bytes; bigger ones close the connection with 1009. */
  maxPayload?: number;
  /** Events kept for replay; the oldest are forgotten (their ids become unknown cursors). */
  logLimit?: number;
  inboxes?: string[];
  /** Seed of the sample mail; random by default so a restarted demo never reuses event ids. */
  seed?: number;
  /** The provider the demo stands in for: its WebSocket (handshake, frames, replay or none) and its REST API
   * (paths, auth, paging, fields, errors). OpenMail by default. */
  flavour?: ProviderName;
  /** A myagentmail-flavoured demo's push form ('event' by default). */
  myAgentMailPushForm?: MyAgentMailPushForm;
  /** REST limits and the lifetime of signed attachment links. */
  rest?: DemoRestOptions;
}

export interface SubscribeRecord {
  lastEventId: string | null;
  inboxIds: string[];
  eventTypes: string[];
  at: number;
}

interface Connection {
  readonly ws: WebSocket;
  readonly key: string;
  subscription: Subscription | null;
  /** Half-open: neither reads nor writes, as if the path between the peers had vanished. */
  silent: boolean;
  readonly budget: SlidingWindow;
  heartbeat: NodeJS.Timeout | undefined;
  pongDeadline: NodeJS.Timeout | undefined;
  /** Events pushed on this connection so far. */
  pushes: number;
}

const OUT_OF_ORDER_BATCH = 3;
// A lone held event must still arrive: reordering is a fault, losing mail is not.
const OUT_OF_ORDER_HOLD_MS = 200;

export class DemoProvider {
  readonly #samples: SampleGenerator;
  readonly #inboxes: readonly string[];
  readonly #intervalMs: number | null;
  readonly #pingIntervalMs: number;
  readonly #pongTimeoutMs: number;
  readonly #replayCap: number;
  readonly #rateLimit: MessageBudget;
  readonly #maxConnections: number;
  readonly #logLimit: number;
  readonly #wss: WebSocketServer;
  readonly #connections = new Set<Connection>();
  readonly #log: MailEvent[] = [];
  readonly #subscribes: SubscribeRecord[] = [];
  #apiKey: string | null;
  #revoked = false;
  #server: Server | null = null;
  #port = 0;
  #stopped = false;
  #autoEmit: NodeJS.Timeout | undefined;
  #duplicates = false;
  #outOfOrder = false;
  #held: MailEvent[] = [];
  #holdTimer: NodeJS.Timeout | undefined;
  readonly flavour: ProviderName;
  readonly #rest: DemoRestApi;
  readonly #pushForm: MyAgentMailPushForm;
  #pushOff = false;
  /** Mail emitted while push was off, which `pushLate` may still push. */
  #withheld: MailEvent[] = [];
  /** The receipt time of the last sample emitted (epoch ms). */
  #lastSampleAt = 0;

  /** What the protocol asks of this account: where a cursor sits in its log (an index) and which inboxes are not its own. */
  readonly #account: ServerLog<number> = {
    positionOf: (eventId) => {
      const index = this.#log.findLastIndex((event) => event.event_id === eventId);
      return index === -1 ? null : index;
    },
    foreignInbox: (inboxIds) => inboxIds.find((id) => !this.#inboxes.includes(id)),
  };

  private constructor(options: DemoProviderOptions) {
    this.#inboxes = options.inboxes ?? DEFAULT_INBOXES;
    this.#samples = new SampleGenerator({
      seed: options.seed ?? Math.floor(Math.random() * 2 ** 32),
      inboxes: this.#inboxes,
    });
    this.#apiKey = options.apiKey ?? null;
    this.#intervalMs = options.intervalMs ?? null;
    this.#pingIntervalMs = options.pingIntervalMs ?? PING_INTERVAL_MS;
    this.#pongTimeoutMs = options.pongTimeoutMs ?? PONG_TIMEOUT_MS;
    this.#replayCap = options.replayCap ?? REPLAY_CAP;
    this.#rateLimit = options.rateLimit ?? CLIENT_BUDGET;
    this.#maxConnections = options.maxConnections ?? MAX_CONNECTIONS;
    this.#logLimit = options.logLimit ?? 10_000;
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayload ?? MAX_CLIENT_FRAME_BYTES });
    this.flavour = options.flavour ?? 'openmail';
    this.#pushForm = options.myAgentMailPushForm ?? 'event';
    this.#rest = new DemoRestApi({
      ...options.rest,
      flavour: this.flavour,
      inboxes: this.#inboxes.map((id) => ({ id, address: this.#samples.address(id) })),
      accepts: (key) => !this.#revoked && (this.#apiKey === null || key === this.#apiKey),
      origin: () => this.restUrl,
    });
  }

  static async start(options: DemoProviderOptions = {}): Promise<DemoProvider> {
    const provider = new DemoProvider(options);
    await provider.#listen(options.port ?? 0);
    provider.resume();
    return provider;
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.#port}${WS_PATH}`;
  }

  /** Every event emitted for the socket (up to `logLimit`), in emit order; `mailbox` has all mail. */
  get emitted(): readonly MailEvent[] {
    return this.#log;
  }

  /** Every subscribe frame received, as sent, so tests can check the cursor on each resubscribe. */
  get subscribes(): readonly SubscribeRecord[] {
    return this.#subscribes;
  }

  /** Connections open now (a silent one counts until it is reaped; a closing one no longer does). */
  connectionCount(): number {
    return this.#open().length;
  }

  /** Makes a sample mail (fields overridable), records it in the mailbox the REST API lists, logs it for replay
   * and pushes it to matching subscribers. */
  emit(overrides: Partial<MailEvent> = {}): MailEvent {
    const event = this.#rest.receive({ ...this.#distinctTime(this.#samples.next()), ...overrides });
    if (this.#pushOff) {
      this.#withheld.push(event);
      return event;
    }
    this.#log.push(event);
    if (this.#log.length > this.#logLimit) this.#log.splice(0, this.#log.length - this.#logLimit);
    this.#deliverLive(event);
    return event;
  }

  emitMany(count: number): MailEvent[] {
    return Array.from({ length: count }, () => this.emit());
  }

  /** Mail emitted while push was off that `pushLate` has not pushed yet. */
  get heldBack(): number {
    return this.#withheld.length;
  }

  /** Pushes (and logs for replay) up to `count` of the mails emitted while push was off, oldest first, as a
   * provider's late delivery would: by then a catch-up may hold them already. */
  pushLate(count: number = this.#withheld.length): MailEvent[] {
    const late = this.#withheld.splice(0, count);
    for (const event of late) {
      this.#log.push(event);
      this.#deliverLive(event);
    }
    return late;
  }

  /** Each sample gets its own millisecond, as a provider stamps mail received one after another: pairing a
   * myagentmail push with its REST listing rests on the time (docs/providers.md). */
  #distinctTime(event: MailEvent): MailEvent {
    const at = Math.max(Date.parse(event.occurred_at), this.#lastSampleAt + 1);
    this.#lastSampleAt = at;
    const iso = new Date(at).toISOString();
    return event.message
      ? { ...event, occurred_at: iso, delivered_at: iso, message: { ...event.message, received_at: iso } }
      : { ...event, occurred_at: iso, delivered_at: iso };
  }

  /** Destroys every TCP socket without a close frame, like a network that vanished. */
  drop(): void {
    for (const ws of this.#wss.clients) ws.terminate();
  }

  /** Current connections stop reading and writing but stay open at the TCP level. */
  halfOpen(): void {
    for (const connection of this.#connections) {
      connection.silent = true;
      connection.ws.pause();
    }
  }

  /** Closes every (non-silent) connection with a sendable close code: 1001, 4001, 4008, 4029... */
  close(code: number, reason = ''): void {
    for (const connection of this.#connections) {
      if (!connection.silent) connection.ws.close(code, reason);
    }
  }

  /** Stops listening (dropping connections), waits `downMs`, then listens again on the same port. */
  async restart(downMs = 0): Promise<void> {
    await this.#unlisten();
    if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
    if (!this.#stopped) await this.#listen(this.#port);
  }

  setDuplicates(on: boolean): void {
    this.#duplicates = on;
  }

  /** Holds live events and delivers them reversed, in batches; turning it off flushes what is held. */
  setOutOfOrder(on: boolean): void {
    this.#outOfOrder = on;
    if (!on) this.#flushHeld();
  }

  /** Closes open connections with 4001 and refuses every handshake with 401 until `setApiKey`. */
  revokeKey(): void {
    this.#revoked = true;
    for (const connection of this.#connections) {
      if (!connection.silent) closeWith(connection.ws, KEY_REVOKED);
    }
  }

  /** Accepts a new key (a rotation, or null for any) and lifts a revocation. */
  setApiKey(key: string | null): void {
    this.#apiKey = key;
    this.#revoked = false;
  }

  // REST and mailbox: the API each flavour speaks over the one mailbox, and its faults.

  /** The REST base URL (`--api-url`): the demo's own HTTP server, beside the WebSocket. */
  get restUrl(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** Every message received or sent, pushed or not: what the REST API lists. */
  get mailbox(): DemoMailbox {
    return this.#rest.mailbox;
  }

  /** Push off: new mail is only listable over REST, never pushed nor replayed on the WebSocket. */
  setPushOff(on: boolean): void {
    this.#pushOff = on;
  }

  /** Every cursor held so far becomes unknown to `last_event_id` (`emitted` starts afresh; `mailbox` keeps all). */
  forgetReplayLog(): void {
    this.#log.length = 0;
  }

  /** REST down. `refused`: the server stops accepting connections, which on this one port refuses new WebSocket
   * handshakes too, while open sockets carry on. `error`: every API call answers 500. null: back up. */
  async setRestDown(mode: RestDownMode | null): Promise<void> {
    this.#rest.setDown(mode);
    const server = this.#server;
    if (!server || this.#stopped) return;
    if (mode === 'refused' && server.listening) {
      server.close();
      server.closeIdleConnections();
    } else if (mode !== 'refused' && !server.listening) {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.#port, '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      });
    }
  }

  /** Every REST call answers 429 for the next `seconds`, with Retry-After counting down; 0 lifts it. */
  throttleRest(seconds: number): void {
    this.#rest.throttle(seconds);
  }

  /** Each REST listing page is answered only after `ms`. */
  setRestPageDelay(ms: number): void {
    this.#rest.setPageDelay(ms);
  }

  /** Every attachment link handed out so far, pushed or redirected to, stops working (403). */
  expireAttachmentLinks(): void {
    this.#rest.expireLinks();
  }

  /** Attachment downloads (links and myagentmail's REST) send `afterBytes` and hold back the rest; null lets the
   * held ones finish and new ones go whole. */
  stallAttachmentDownloads(afterBytes: number | null): void {
    this.#rest.stallDownloads(afterBytes);
  }

  pause(): void {
    clearInterval(this.#autoEmit);
    this.#autoEmit = undefined;
  }

  resume(): void {
    if (this.#intervalMs === null || this.#autoEmit || this.#stopped) return;
    this.#autoEmit = setInterval(() => this.emit(), this.#intervalMs);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.pause();
    clearTimeout(this.#holdTimer);
    await this.#unlisten();
    this.#wss.close();
  }

  /** Everything but the WebSocket upgrade is the REST API; a plain GET of the socket path asks for an upgrade. */
  #answerPlainHttp(request: IncomingMessage, response: ServerResponse): void {
    if (!request.url?.startsWith(WS_PATH)) return this.#rest.serve(request, response);
    response.writeHead(426, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: 'WebSocket upgrade required' }));
  }

  async #listen(port: number): Promise<void> {
    const server = createServer((request, response) => this.#answerPlainHttp(request, response));
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => this.#upgrade(request, socket, head));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#server = server;
    this.#port = (server.address() as AddressInfo).port;
  }

  async #unlisten(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    for (const ws of this.#wss.clients) ws.terminate();
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const url = requestUrl(request);
    if (url?.pathname !== WS_PATH) return refuseUpgrade(socket, REFUSALS.notFound);
    const key = socketKey(this.flavour, request, url);
    if (this.#revoked || (this.#apiKey !== null && key !== this.#apiKey)) return refuseUpgrade(socket, REFUSALS.unauthorized);
    this.#wss.handleUpgrade(request, socket, head, (ws) => this.#accept(ws, key));
  }

  #accept(ws: WebSocket, key: string): void {
    // ws itself closes the connection on protocol errors (1009 too big, 1007 bad UTF-8); a listener is
    // needed only so that such an error is not rethrown as an uncaught exception.
    ws.on('error', () => {});
    const sameKey = this.#open().filter((connection) => connection.key === key).length;
    if (sameKey >= this.#maxConnections) return closeWith(ws, CONNECTION_LIMITED);
    const connection: Connection = {
      ws,
      key,
      subscription: null,
      silent: false,
      budget: clientBudget(this.#rateLimit),
      heartbeat: undefined,
      pongDeadline: undefined,
      pushes: 0,
    };
    this.#connections.add(connection);
    const hello = greeting(this.flavour, this.mailbox.inbox(this.#inboxes[0] ?? ''));
    if (hello) send(ws, hello);
    connection.heartbeat = setInterval(() => this.#beat(connection), this.#pingIntervalMs);
    ws.on('pong', () => {
      clearTimeout(connection.pongDeadline);
      connection.pongDeadline = undefined;
    });
    ws.on('message', (data, isBinary) => this.#onFrame(connection, data, isBinary));
    ws.on('close', () => {
      clearInterval(connection.heartbeat);
      clearTimeout(connection.pongDeadline);
      this.#connections.delete(connection);
    });
  }

  /** A silent connection gets no ping but still misses its deadline, so it is reaped as a real server would. */
  #beat(connection: Connection): void {
    connection.pongDeadline ??= setTimeout(() => connection.ws.terminate(), this.#pongTimeoutMs);
    if (!connection.silent) connection.ws.ping();
  }

  #onFrame(connection: Connection, data: RawData, isBinary: boolean): void {
    if (connection.silent || connection.ws.readyState !== connection.ws.OPEN) return;
    const inbound = readClientMessage(connection.budget, data, isBinary, Date.now());
    if (inbound.kind === 'over_budget') return closeWith(connection.ws, inbound.closing);
    if (inbound.kind === 'refused') return this.#send(connection, inbound.error);
    this.#answer(connection, inbound.frame);
  }

  #answer(connection: Connection, received: ClientFrame): void {
    // Without replay a cursor means nothing: the subscribe is taken as if it had none.
    const frame = received.type === 'subscribe' && !replays(this.flavour) ? { ...received, lastEventId: null } : received;
    if (frame.type === 'subscribe') {
      const { lastEventId, inboxIds, eventTypes } = frame;
      this.#subscribes.push({ lastEventId, inboxIds, eventTypes, at: Date.now() });
    }
    const answer = answerFrame(connection.subscription, frame, this.#account);
    connection.subscription = answer.subscription;
    for (const reply of answer.frames) this.#send(connection, reply);
    if (answer.replayAfter === null) return;
    // The oldest missed events first, so a client that hits the cap can page on with the newest it got.
    const missed = this.#log.slice(answer.replayAfter + 1).filter((event) => matches(connection.subscription, event));
    for (const event of missed.slice(0, this.#replayCap)) this.#push(connection, event);
  }

  #deliverLive(event: MailEvent): void {
    if (!this.#outOfOrder) return this.#broadcast(event);
    this.#held.push(event);
    if (this.#held.length >= OUT_OF_ORDER_BATCH) this.#flushHeld();
    else this.#holdTimer ??= setTimeout(() => this.#flushHeld(), OUT_OF_ORDER_HOLD_MS);
  }

  #flushHeld(): void {
    clearTimeout(this.#holdTimer);
    this.#holdTimer = undefined;
    const batch = this.#held.reverse();
    this.#held = [];
    for (const event of batch) this.#broadcast(event);
  }

  #broadcast(event: MailEvent): void {
    for (const connection of this.#connections) {
      if (!matches(connection.subscription, event)) continue;
      this.#push(connection, event);
      if (this.#duplicates) this.#push(connection, event);
    }
  }

  /** One event on one connection, in the flavour's form. */
  #push(connection: Connection, event: MailEvent): void {
    const frame = pushFrame(this.flavour, delivered(event), this.#threadView(event), this.#pushForm, connection.pushes);
    connection.pushes += 1;
    if (frame !== null && !connection.silent) send(connection.ws, frame);
  }

  #threadView(event: MailEvent): ThreadView | null {
    const thread = this.flavour === 'agentmail' && event.thread_id ? this.mailbox.thread(event.thread_id) : undefined;
    if (!thread) return null;
    return { id: thread.id, subject: thread.subject, isRead: thread.isRead, messages: this.mailbox.threadMessages(thread.id) };
  }

  #open(): Connection[] {
    return [...this.#connections].filter((connection) => connection.ws.readyState === connection.ws.OPEN);
  }

  /** A protocol answer, in the flavour's words. */
  #send(connection: Connection, frame: ServerFrame): void {
    const shaped = serverFrame(this.flavour, frame);
    if (shaped !== null && !connection.silent) send(connection.ws, shaped);
  }
}

function send(ws: WebSocket, frame: ServerFrame | MailEvent | Record<string, unknown>): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
}

/** Plain HTTP on the demo's port: the WebSocket path wants an upgrade, and nothing else exists. */
/** The payload as sent: `delivered_at` is the moment of this delivery. */
function delivered(event: MailEvent): MailEvent {
  return { ...event, delivered_at: new Date().toISOString() };
}
