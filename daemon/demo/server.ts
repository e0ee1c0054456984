// The built-in simulated OpenMail: a real WebSocket server on loopback that speaks the provider's protocol
// (auth, subscribe filters, last_event_id replay, pings, limits, close codes). It is the upstream of
// `mailbridge run --demo`, and its fault controls let tests put the relay through drops, half-open
// sockets, restarts, duplicates, reordering and revoked keys.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { MailEvent } from '../../shared/event.ts';
import type { ProviderName } from '../../shared/status.ts';
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
  rateLimit?: { messages: number; perMs: number };
  /** Open connections per key; over it, an error frame then close 4008. */
  maxConnections?: number;
  /** Largest client frame in bytes; bigger ones close the connection with 1009. */
  maxPayload?: number;
  /** Events kept for replay; the oldest are forgotten (their ids become unknown cursors). */
  logLimit?: number;
  inboxes?: string[];
  /** Seed of the sample mail; random by default so a restarted demo never reuses event ids. */
  seed?: number;
  /** The provider the demo stands in for: its REST API (paths, auth, paging, fields, errors). OpenMail by default. */
  flavour?: ProviderName;
  /** REST limits and the lifetime of signed attachment links. */
  rest?: DemoRestOptions;
}

export interface SubscribeRecord {
  lastEventId: string | null;
  inboxIds: string[];
  eventTypes: string[];
  at: number;
}

/** One accumulated subscribe frame; null means "all". */
interface Filter {
  inboxIds: ReadonlySet<string> | null;
  eventTypes: ReadonlySet<string> | null;
}

interface Connection {
  readonly ws: WebSocket;
  readonly key: string;
  filters: Filter[];
  /** Half-open: neither reads nor writes, as if the path between the peers had vanished. */
  silent: boolean;
  frameTimes: number[];
  heartbeat: NodeJS.Timeout | undefined;
  pongDeadline: NodeJS.Timeout | undefined;
}

const WS_PATH = '/v1/ws';
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
  readonly #rateLimit: { messages: number; perMs: number };
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
  #pushOff = false;

  private constructor(options: DemoProviderOptions) {
    this.#inboxes = options.inboxes ?? DEFAULT_INBOXES;
    this.#samples = new SampleGenerator({
      seed: options.seed ?? Math.floor(Math.random() * 2 ** 32),
      inboxes: this.#inboxes,
    });
    this.#apiKey = options.apiKey ?? null;
    this.#intervalMs = options.intervalMs ?? null;
    this.#pingIntervalMs = options.pingIntervalMs ?? 30_000;
    this.#pongTimeoutMs = options.pongTimeoutMs ?? 10_000;
    this.#replayCap = options.replayCap ?? 100;
    this.#rateLimit = options.rateLimit ?? { messages: 30, perMs: 10_000 };
    this.#maxConnections = options.maxConnections ?? 10;
    this.#logLimit = options.logLimit ?? 10_000;
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayload ?? 64 * 1024 });
    this.flavour = options.flavour ?? 'openmail';
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
    const event = this.#rest.receive({ ...this.#samples.next(), ...overrides });
    if (this.#pushOff) return event;
    this.#log.push(event);
    if (this.#log.length > this.#logLimit) this.#log.splice(0, this.#log.length - this.#logLimit);
    this.#deliverLive(event);
    return event;
  }

  emitMany(count: number): MailEvent[] {
    return Array.from({ length: count }, () => this.emit());
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
      if (connection.silent) continue;
      this.#send(connection, { type: 'error', message: 'API key revoked' });
      connection.ws.close(4001, 'Unauthorized');
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

  async #listen(port: number): Promise<void> {
    const server = createServer((request, response) => {
      if (!request.url?.startsWith(WS_PATH)) return this.#rest.serve(request, response);
      response.writeHead(426, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: 'WebSocket upgrade required' }));
    });
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
    const url = parseUrl(request.url);
    if (url?.pathname !== WS_PATH) return refuse(socket, 404, 'Not Found');
    const key = bearer(request.headers.authorization) ?? url.searchParams.get('token') ?? '';
    if (this.#revoked || (this.#apiKey !== null && key !== this.#apiKey)) return refuse(socket, 401, 'Unauthorized');
    this.#wss.handleUpgrade(request, socket, head, (ws) => this.#accept(ws, key));
  }

  #accept(ws: WebSocket, key: string): void {
    // ws itself closes the connection on protocol errors (1009 too big, 1007 bad UTF-8); a listener is
    // needed only so that such an error is not rethrown as an uncaught exception.
    ws.on('error', () => {});
    const sameKey = this.#open().filter((connection) => connection.key === key).length;
    if (sameKey >= this.#maxConnections) {
      ws.send(JSON.stringify({ type: 'error', message: 'Connection limit exceeded' }));
      ws.close(4008, 'Connection limit exceeded');
      return;
    }
    const connection: Connection = {
      ws,
      key,
      filters: [],
      silent: false,
      frameTimes: [],
      heartbeat: undefined,
      pongDeadline: undefined,
    };
    this.#connections.add(connection);
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
    if (!this.#withinRate(connection)) {
      this.#send(connection, { type: 'error', message: 'Rate limit exceeded' });
      connection.ws.close(4029, 'Rate limit exceeded');
      return;
    }
    if (isBinary) return this.#error(connection, 'Binary frames are not supported');
    let frame: unknown;
    try {
      // With the default binaryType, a text frame arrives as one Buffer.
      frame = JSON.parse((data as Buffer).toString('utf8'));
    } catch {
      return this.#error(connection, 'Invalid JSON');
    }
    if (!isRecord(frame) || typeof frame.type !== 'string') return this.#error(connection, 'Missing message type');
    switch (frame.type) {
      case 'subscribe':
        return this.#subscribe(connection, frame);
      case 'unsubscribe':
        return this.#unsubscribe(connection, frame);
      case 'ping':
        return this.#send(connection, { type: 'pong' });
      default:
        return this.#error(connection, `Unknown message type: ${frame.type.slice(0, 64)}`);
    }
  }

  #withinRate(connection: Connection): boolean {
    const now = Date.now();
    connection.frameTimes = connection.frameTimes.filter((at) => now - at < this.#rateLimit.perMs);
    connection.frameTimes.push(now);
    return connection.frameTimes.length <= this.#rateLimit.messages;
  }

  #subscribe(connection: Connection, frame: Record<string, unknown>): void {
    const inboxIds = stringList(frame.inbox_ids);
    const eventTypes = stringList(frame.event_types);
    const lastEventId = frame.last_event_id ?? null;
    if (!inboxIds || !eventTypes || (lastEventId !== null && typeof lastEventId !== 'string')) {
      return this.#error(connection, 'Invalid subscribe: inbox_ids and event_types must be string arrays, last_event_id a string');
    }
    this.#subscribes.push({ lastEventId, inboxIds, eventTypes, at: Date.now() });
    const foreign = inboxIds.find((id) => !this.#inboxes.includes(id));
    if (foreign !== undefined) return this.#error(connection, `Unauthorized inbox: ${foreign.slice(0, 64)}`);
    // A rejected frame changes nothing, so the client can resubscribe without the cursor.
    const after = lastEventId === null ? -1 : this.#log.findLastIndex((event) => event.event_id === lastEventId);
    if (after === -1 && lastEventId !== null) return this.#error(connection, 'Unknown last_event_id');
    connection.filters.push({
      inboxIds: inboxIds.length > 0 ? new Set(inboxIds) : null,
      eventTypes: eventTypes.length > 0 ? new Set(eventTypes) : null,
    });
    this.#send(connection, {
      type: 'subscribed',
      inbox_ids: summary(connection.filters.map((filter) => filter.inboxIds)),
      event_types: summary(connection.filters.map((filter) => filter.eventTypes)),
    });
    if (lastEventId === null) return;
    // The oldest missed events first, so a client that hits the cap can page on with the newest it got.
    const missed = this.#log.slice(after + 1).filter((event) => matches(connection, event));
    for (const event of missed.slice(0, this.#replayCap)) this.#send(connection, delivered(event));
  }

  #unsubscribe(connection: Connection, frame: Record<string, unknown>): void {
    const inboxIds = stringList(frame.inbox_ids);
    if (!inboxIds) return this.#error(connection, 'Invalid unsubscribe: inbox_ids must be a string array');
    if (inboxIds.length === 0) {
      connection.filters = [];
    } else {
      const removed = new Set(inboxIds);
      connection.filters = connection.filters
        .map((filter) => ({
          ...filter,
          inboxIds: new Set([...(filter.inboxIds ?? this.#inboxes)].filter((id) => !removed.has(id))),
        }))
        .filter((filter) => filter.inboxIds.size > 0);
    }
    this.#send(connection, { type: 'unsubscribed', inbox_ids: inboxIds });
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
      if (!matches(connection, event)) continue;
      this.#send(connection, delivered(event));
      if (this.#duplicates) this.#send(connection, delivered(event));
    }
  }

  #open(): Connection[] {
    return [...this.#connections].filter((connection) => connection.ws.readyState === connection.ws.OPEN);
  }

  #error(connection: Connection, message: string): void {
    this.#send(connection, { type: 'error', message });
  }

  #send(connection: Connection, frame: object): void {
    if (connection.silent || connection.ws.readyState !== connection.ws.OPEN) return;
    connection.ws.send(JSON.stringify(frame));
  }
}

function matches(connection: Connection, event: MailEvent): boolean {
  return connection.filters.some(
    (filter) =>
      (filter.inboxIds === null || (event.inbox_id !== null && filter.inboxIds.has(event.inbox_id))) &&
      (filter.eventTypes === null || filter.eventTypes.has(event.event)),
  );
}

/** The accumulated filter as the `subscribed` frame reports it: empty means all. */
function summary(sets: (ReadonlySet<string> | null)[]): string[] {
  if (sets.some((set) => set === null)) return [];
  return [...new Set(sets.flatMap((set) => [...(set ?? [])]))];
}

/** The payload as sent: `delivered_at` is the moment of this delivery. */
function delivered(event: MailEvent): MailEvent {
  return { ...event, delivered_at: new Date().toISOString() };
}

function stringList(value: unknown): string[] | null {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function bearer(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1] ?? null;
}

function parseUrl(path: string | undefined): URL | null {
  try {
    return new URL(path ?? '/', 'http://127.0.0.1');
  } catch {
    return null;
  }
}

function refuse(socket: Duplex, status: number, text: string): void {
  const body = JSON.stringify({ error: text });
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
