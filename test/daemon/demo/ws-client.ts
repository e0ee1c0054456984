// A real `ws` client for the demo provider tests: it queues every text frame so a test can read them in
// order, with bounded waits that fail loudly instead of hanging.
import WebSocket from 'ws';
import type { ClientOptions } from 'ws';

export type Frame = Record<string, unknown>;

export interface Closed {
  code: number;
  reason: string;
}

export class TestClient {
  readonly ws: WebSocket;
  readonly frames: Frame[] = [];
  readonly closed: Promise<Closed>;
  #read = 0;
  #wake: (() => void) | null = null;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(String(data)) as Frame);
      this.#wake?.();
    });
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
  }

  /** Opens a connection, authenticating with the key in a Bearer header (or `?token=` with `via: 'query'`);
   * without a key, with whatever `headers` say. */
  static open(url: string, key?: string, options: ClientOptions & { via?: 'header' | 'query' } = {}): Promise<TestClient> {
    const { via = 'header', ...wsOptions } = options;
    const target = key !== undefined && via === 'query' ? `${url}?token=${encodeURIComponent(key)}` : url;
    const headers: Record<string, string> = key !== undefined && via === 'header' ? { authorization: `Bearer ${key}` } : {};
    const ws = new WebSocket(target, { ...wsOptions, headers: { ...wsOptions.headers, ...headers } });
    const client = new TestClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
    });
  }

  /** Resolves with the HTTP status of a refused handshake. */
  static refusal(url: string, key?: string): Promise<number> {
    const ws = new WebSocket(url, key === undefined ? {} : { headers: { authorization: `Bearer ${key}` } });
    return new Promise((resolve, reject) => {
      ws.once('unexpected-response', (_request, response) => {
        resolve(response.statusCode ?? 0);
        ws.terminate();
      });
      ws.once('open', () => {
        ws.terminate();
        reject(new Error('handshake was accepted'));
      });
      ws.once('error', () => {});
    });
  }

  send(frame: object | string): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Subscribes and returns the `subscribed` acknowledgement. */
  async subscribe(frame: Frame = {}): Promise<Frame> {
    this.send({ type: 'subscribe', ...frame });
    return this.next();
  }

  /** The next unread frame. */
  async next(timeoutMs = 3_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    while (this.#read >= this.frames.length) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no frame within ${timeoutMs} ms (read ${this.#read})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = null;
    }
    return this.frames[this.#read++]!;
  }

  async take(count: number): Promise<Frame[]> {
    const out: Frame[] = [];
    for (let i = 0; i < count; i++) out.push(await this.next());
    return out;
  }

  /** Every frame that arrives within `ms`: for asserting that something did NOT arrive. */
  async quiet(ms: number): Promise<Frame[]> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    const unread = this.frames.slice(this.#read);
    this.#read = this.frames.length;
    return unread;
  }

  close(): void {
    this.ws.terminate();
  }
}
