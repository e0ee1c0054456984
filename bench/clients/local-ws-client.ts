// An agent written for OpenMail's WebSocket, pointed at the local `/v1/ws`: subscribes, and after any
// disconnect resubscribes with `last_event_id` set to the last event it received.
import WebSocket from 'ws';
import type { MailEvent } from '../../shared/event.ts';
import type { EndpointSource } from './endpoint.ts';

export interface LocalWsOptions {
  endpoint: EndpointSource;
  retryMs: number;
  /** `receivedAt` is performance.now() when the frame arrived. */
  onEvent(event: MailEvent, receivedAt: number): void;
}

export class LocalWsClient {
  readonly #o: LocalWsOptions;
  #ws: WebSocket | null = null;
  #retry: NodeJS.Timeout | null = null;
  #stopped = false;
  #lastEventId: string | null = null;
  #onSubscribed: (() => void) | null = null;
  subscribes = 0;
  /** Error frames from the server (an unknown last_event_id would show here). */
  readonly errors: string[] = [];

  constructor(options: LocalWsOptions) {
    this.#o = options;
  }

  /** Connects and resolves once the first subscription is acknowledged. */
  start(): Promise<void> {
    const subscribed = new Promise<void>((resolve) => (this.#onSubscribed = resolve));
    this.#connect();
    return subscribed;
  }

  drop(): void {
    this.#ws?.terminate();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#retry !== null) clearTimeout(this.#retry);
    this.#ws?.terminate();
  }

  #connect(): void {
    this.#retry = null;
    if (this.#stopped) return;
    const endpoint = this.#o.endpoint();
    if (endpoint === null) return this.#later();
    const ws = new WebSocket(`${endpoint.url.replace(/^http/, 'ws')}/v1/ws`, { headers: { authorization: `Bearer ${endpoint.token}` } });
    this.#ws = ws;
    ws.on('error', () => {});
    ws.once('open', () => {
      ws.send(JSON.stringify({ type: 'subscribe', ...(this.#lastEventId === null ? {} : { last_event_id: this.#lastEventId }) }));
    });
    ws.on('message', (data) => {
      const at = performance.now();
      const frame = JSON.parse(String(data)) as MailEvent & { type?: string; message?: unknown };
      if (frame.type === undefined && typeof frame.event === 'string') {
        this.#lastEventId = frame.event_id;
        this.#o.onEvent(frame, at);
      } else if (frame.type === 'subscribed') {
        this.subscribes += 1;
        this.#onSubscribed?.();
        this.#onSubscribed = null;
      } else if (frame.type === 'error') {
        this.errors.push(String(frame.message));
      }
    });
    ws.once('close', () => {
      if (this.#ws === ws) this.#ws = null;
      this.#later();
    });
  }

  #later(): void {
    if (this.#stopped || this.#retry !== null) return;
    this.#retry = setTimeout(() => this.#connect(), this.#o.retryMs);
  }
}
