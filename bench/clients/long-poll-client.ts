// An agent that long-polls `GET /v1/events`: either with its own cursor (`after=next_after`), or as a named
// consumer that reads from its acknowledged position and acks each page. It rides out daemon restarts by
// retrying against whatever endpoint is current.
import http from 'node:http';
import type { StoredEvent } from '../../shared/event.ts';
import type { EventsResponse } from '../../shared/local-api.ts';
import type { EndpointSource } from './endpoint.ts';
import { exchange, type Exchange, type HttpAnswer, type Transport } from './http-request.ts';

export interface LongPollOptions {
  endpoint: EndpointSource;
  via: Transport;
  /** Named-consumer mode: no cursor of its own; the daemon's acknowledged position is the cursor. */
  consumer?: string;
  /** Cursor mode: start after this seq. */
  after?: number;
  waitSeconds: number;
  limit: number;
  retryMs: number;
  /** `receivedAt` is performance.now() when the response was complete. */
  onEvents(events: readonly StoredEvent[], receivedAt: number): void;
}

export class LongPollClient {
  readonly #o: LongPollOptions;
  readonly #agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  #after: number;
  #ackedSeq = 0;
  #current: Exchange | null = null;
  #stopped = false;
  #loop: Promise<void> | null = null;
  errors = 0;
  /** Answers that were pages of events (not empty waits). */
  pages = 0;

  constructor(options: LongPollOptions) {
    this.#o = options;
    this.#after = options.after ?? 0;
  }

  /** The cursor (cursor mode) or the acknowledged seq the daemon confirmed (consumer mode). */
  get position(): number {
    return this.#o.consumer === undefined ? this.#after : this.#ackedSeq;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#current?.abort();
    await this.#loop;
    this.#agent.destroy();
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      try {
        await this.#poll();
      } catch {
        if (this.#stopped) return;
        this.errors += 1;
        await new Promise((resolve) => setTimeout(resolve, this.#o.retryMs));
      }
    }
  }

  async #poll(): Promise<void> {
    const endpoint = this.#o.endpoint();
    if (endpoint === null) throw new Error('no daemon');
    const { consumer, waitSeconds, limit } = this.#o;
    const query = consumer === undefined ? `after=${this.#after}` : `consumer=${encodeURIComponent(consumer)}`;
    const page = await this.#send(exchange(endpoint, this.#o.via, this.#agent, 'GET', `/v1/events?${query}&limit=${limit}&wait=${waitSeconds}`));
    if (page.status !== 200) throw new Error(`HTTP ${page.status}: ${page.body.slice(0, 200)}`);
    const body = JSON.parse(page.body) as EventsResponse;
    if (body.events.length > 0) {
      this.pages += 1;
      this.#o.onEvents(body.events, page.at);
    }
    this.#after = body.next_after;
    if (consumer !== undefined && body.events.length > 0) {
      const ack = await this.#send(
        exchange(endpoint, this.#o.via, this.#agent, 'POST', `/v1/consumers/${encodeURIComponent(consumer)}/ack`, JSON.stringify({ seq: body.next_after })),
      );
      if (ack.status !== 200) throw new Error(`ack HTTP ${ack.status}: ${ack.body.slice(0, 200)}`);
      this.#ackedSeq = (JSON.parse(ack.body) as { acked_seq: number }).acked_seq;
    }
  }

  async #send(request: Exchange): Promise<HttpAnswer> {
    this.#current = request;
    try {
      return await request.answer;
    } finally {
      this.#current = null;
    }
  }
}
