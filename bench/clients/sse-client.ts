// An agent on `GET /v1/stream`: parses the event stream itself and, when the stream ends or fails, reconnects
// with `Last-Event-ID` as EventSource does, so a resumed stream must continue exactly after the last id seen.
import http from 'node:http';
import type { EndpointSource } from './endpoint.ts';

export interface SseOptions {
  endpoint: EndpointSource;
  /** Where the first connection starts (`?after=`); later ones resume from the last id received. */
  after: number;
  retryMs: number;
  /** `data` is the raw JSON text; `receivedAt` is performance.now() when its chunk arrived. */
  onEvent(seq: number, data: string, receivedAt: number): void;
}

export class SseClient {
  readonly #o: SseOptions;
  #lastId: number | null = null;
  #req: http.ClientRequest | null = null;
  #retry: NodeJS.Timeout | null = null;
  #stopped = false;
  connects = 0;
  errors = 0;

  constructor(options: SseOptions) {
    this.#o = options;
  }

  get lastEventId(): number | null {
    return this.#lastId;
  }

  start(): void {
    this.#connect();
  }

  /** Cuts the connection from the client side; it reconnects with Last-Event-ID. */
  drop(): void {
    this.#req?.destroy();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#retry !== null) clearTimeout(this.#retry);
    this.#req?.destroy();
  }

  #connect(): void {
    this.#retry = null;
    if (this.#stopped) return;
    const endpoint = this.#o.endpoint();
    if (endpoint === null) return this.#later();
    const url = new URL(endpoint.url);
    const headers: Record<string, string> = { authorization: `Bearer ${endpoint.token}`, accept: 'text/event-stream' };
    if (this.#lastId !== null) headers['last-event-id'] = String(this.#lastId);
    const path = this.#lastId === null ? `/v1/stream?after=${this.#o.after}` : '/v1/stream';
    const req = http.get({ host: url.hostname, port: Number(url.port), path, headers, agent: false });
    this.#req = req;
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      if (this.#req === req) this.#req = null;
      this.#later();
    };
    req.once('error', () => {
      this.errors += 1;
      end();
    });
    req.once('response', (res) => {
      if (res.statusCode !== 200) {
        this.errors += 1;
        res.resume();
        res.once('end', end);
        return;
      }
      this.connects += 1;
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk: string) => {
        const at = performance.now();
        buffer += chunk;
        for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
          this.#block(buffer.slice(0, cut), at);
          buffer = buffer.slice(cut + 2);
        }
      });
      res.once('error', end);
      res.once('close', end);
    });
  }

  /** One event block: `id:`, `event:` and `data:` lines (comments and `retry:` carry no event). */
  #block(block: string, at: number): void {
    let id: number | null = null;
    let data: string | null = null;
    for (const line of block.split('\n')) {
      if (line.startsWith('id: ')) id = Number(line.slice(4));
      else if (line.startsWith('data: ')) data = line.slice(6);
    }
    if (id === null || data === null) return;
    this.#lastId = id;
    this.#o.onEvent(id, data, at);
  }

  #later(): void {
    if (this.#stopped || this.#retry !== null) return;
    this.#retry = setTimeout(() => this.#connect(), this.#o.retryMs);
  }
}
