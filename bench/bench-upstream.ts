// A lean OpenMail-protocol upstream for the relay measurements: auth, subscribe/subscribed, ping/pong and
// last_event_id replay (capped at 100, as OpenMail does), and a broadcast of frames serialized once. Unlike the
// demo provider it does no per-connection work at send time, and it alternates which connection is written
// first, so a direct baseline client and the relay are served on equal terms.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

const WS_PATH = '/v1/ws';
const REPLAY_CAP = 100;

export class BenchUpstream {
  readonly #server: Server;
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #apiKey: string;
  readonly #subscribed: WebSocket[] = [];
  /** Every frame sent, by event id, for replay. */
  readonly #log: { eventId: string; frame: string }[] = [];
  readonly #index = new Map<string, number>();
  #turn = 0;

  private constructor(apiKey: string) {
    this.#apiKey = apiKey;
    // Its REST API holds no inboxes, so an engine's catch-up finds nothing to fetch and stays on loopback.
    this.#server = createServer((req, res) => {
      if (req.method === 'GET' && req.url?.startsWith('/v1/inboxes')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":[],"total":0}');
        return;
      }
      res.writeHead(426).end();
    });
    this.#server.on('upgrade', (req, socket, head) => {
      socket.on('error', () => socket.destroy());
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const key = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? url.searchParams.get('token');
      if (url.pathname !== WS_PATH || key !== this.#apiKey) {
        socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws));
    });
  }

  static async start(apiKey: string): Promise<BenchUpstream> {
    const upstream = new BenchUpstream(apiKey);
    await new Promise<void>((resolve) => upstream.#server.listen(0, '127.0.0.1', resolve));
    return upstream;
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.#server.address() as AddressInfo).port}${WS_PATH}`;
  }

  /** The REST base for `apiUrl`. */
  get restUrl(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  get subscribers(): number {
    return this.#subscribed.length;
  }

  /** Logs the frame for replay and writes it to every subscriber, starting with a different one each time. */
  broadcast(eventId: string, frame: string): void {
    this.#index.set(eventId, this.#log.length);
    this.#log.push({ eventId, frame });
    const n = this.#subscribed.length;
    if (n === 0) return;
    const first = this.#turn++ % n;
    for (let i = 0; i < n; i++) this.#subscribed[(first + i) % n]!.send(frame);
  }

  /** Bytes queued in user space towards subscribers (the relay reading slower than we write). */
  bufferedBytes(): number {
    return this.#subscribed.reduce((sum, ws) => sum + ws.bufferedAmount, 0);
  }

  async stop(): Promise<void> {
    for (const ws of this.#wss.clients) ws.terminate();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#wss.close();
  }

  #accept(ws: WebSocket): void {
    ws.on('error', () => {});
    ws.on('close', () => {
      const at = this.#subscribed.indexOf(ws);
      if (at >= 0) this.#subscribed.splice(at, 1);
    });
    ws.on('message', (data) => {
      let frame: { type?: unknown; last_event_id?: unknown };
      try {
        frame = JSON.parse(String(data)) as typeof frame;
      } catch {
        ws.send(JSON.stringify({ type: 'error', message: 'Invalid JSON' }));
        return;
      }
      if (frame.type === 'ping') {
        ws.send('{"type":"pong"}');
        return;
      }
      if (frame.type !== 'subscribe') {
        ws.send(JSON.stringify({ type: 'error', message: 'Unknown message type' }));
        return;
      }
      const cursor = typeof frame.last_event_id === 'string' ? frame.last_event_id : null;
      const after = cursor === null ? null : this.#index.get(cursor);
      if (after === undefined) {
        ws.send(JSON.stringify({ type: 'error', message: 'Unknown last_event_id' }));
        return;
      }
      if (!this.#subscribed.includes(ws)) this.#subscribed.push(ws);
      ws.send('{"type":"subscribed","inbox_ids":[],"event_types":[]}');
      if (after !== null) for (const entry of this.#log.slice(after + 1, after + 1 + REPLAY_CAP)) ws.send(entry.frame);
    });
  }
}
