// Server-Sent Events on `GET /v1/stream`. A stream first replays the store after its cursor, then follows the
// hub. The store is the buffer: when a client reads slower than events arrive, its stream stops taking live
// events and, once the socket drains, catches up from the store again. So a slow reader never holds more
// than one socket buffer in memory, never blocks the others, and still misses nothing.
import type { ServerResponse } from 'node:http';
import type { StoredEvent } from '../../shared/event.ts';
import type { Principal } from '../../shared/principal.ts';
import { canSee } from '../access/visibility.ts';
import type { EventHub } from '../hub.ts';
import type { EventStore } from '../store/events.ts';
import type { StreamFilter } from './event-filter.ts';
import { matchesFilter } from './event-filter.ts';
import { eventJson } from './event-json.ts';

export const KEEPALIVE_MS = 15_000;
/** Tells EventSource how soon to reconnect after the stream drops. */
export const RETRY_MS = 2_000;
const PAGE_SIZE = 200;
/**
 * Unsent bytes a stream may hold before it leaves the live path for catch-up from the store. Node's 16 KiB
 * high-water mark would send every reader of a burst back to the store (a read and parse per stream);
 * this bounds memory per stream while a fast reader stays live.
 */
const LIVE_BUFFER_BYTES = 256 * 1024;

interface Stream {
  res: ServerResponse;
  /** Seq of the last event sent (or the resume point): the next one sent is always greater. */
  cursor: number;
  filter: StreamFilter;
  /** Who reads: mail it may not see is passed over, on the live path and in catch-up alike. */
  principal: Principal;
  /** False while replaying from the store or waiting for 'drain'. */
  live: boolean;
  closed: boolean;
}

export class SseStreams {
  readonly #streams = new Set<Stream>();
  readonly #events: Pick<EventStore, 'after'>;
  readonly #unsubscribe: () => void;
  readonly #keepaliveMs: number;
  #keepalive: NodeJS.Timeout | null = null;

  constructor(hub: EventHub, events: Pick<EventStore, 'after'>, keepaliveMs: number = KEEPALIVE_MS) {
    this.#events = events;
    this.#keepaliveMs = keepaliveMs;
    this.#unsubscribe = hub.onCommitted((batch) => this.#deliver(batch));
  }

  get size(): number {
    return this.#streams.size;
  }

  open(res: ServerResponse, after: number, filter: StreamFilter, principal: Principal): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      'X-Accel-Buffering': 'no',
    });
    res.write(`retry: ${RETRY_MS}\n\n`);
    const stream: Stream = { res, cursor: after, filter, principal, live: false, closed: false };
    this.#streams.add(stream);
    res.once('close', () => {
      stream.closed = true;
      this.#streams.delete(stream);
      if (this.#streams.size === 0) this.#stopKeepalive();
    });
    this.#startKeepalive();
    this.#catchUp(stream);
  }

  /** Ends every stream; EventSource clients reconnect with Last-Event-ID to whoever serves next. */
  close(): void {
    this.#unsubscribe();
    this.#stopKeepalive();
    for (const stream of this.#streams) stream.res.end();
    this.#streams.clear();
  }

  /** Ends the streams of the agent token `name` (its token was revoked); a reconnect then gets 401. */
  end(name: string): void {
    for (const stream of this.#streams) if (!stream.principal.owner && stream.principal.name === name) stream.res.end();
  }

  // Reading an empty page and going live happen in the same tick, so no commit can slip between them.
  #catchUp(stream: Stream): void {
    if (stream.closed) return;
    const page = this.#events.after(stream.cursor, PAGE_SIZE, stream.filter);
    if (page.length === 0) {
      stream.live = true;
      return;
    }
    for (const event of page) {
      if (!canSee(stream.principal, event)) {
        stream.cursor = event.seq;
        continue;
      }
      if (!this.#send(stream, event)) {
        this.#waitForDrain(stream);
        return;
      }
    }
    // A reader as fast as the server never fills its socket; yielding per page keeps one long backlog from
    // starving every other client.
    setImmediate(() => this.#catchUp(stream));
  }

  #deliver(batch: readonly StoredEvent[]): void {
    for (const stream of this.#streams) {
      if (!stream.live) continue;
      for (const event of batch) {
        if (event.seq <= stream.cursor || !matchesFilter(event, stream.filter) || !canSee(stream.principal, event)) continue;
        if (!this.#send(stream, event)) {
          // The rest of this batch is in the store; the catch-up after 'drain' sends it.
          stream.live = false;
          this.#waitForDrain(stream);
          break;
        }
      }
    }
  }

  /** Writes one event; false once the stream holds more unsent bytes than it may (a 'drain' then follows). */
  #send(stream: Stream, event: StoredEvent): boolean {
    stream.cursor = event.seq;
    const flowing = stream.res.write(`id: ${event.seq}\nevent: ${sseField(event.event)}\ndata: ${eventJson(event)}\n\n`);
    return flowing || stream.res.writableLength < LIVE_BUFFER_BYTES;
  }

  #waitForDrain(stream: Stream): void {
    stream.res.once('drain', () => this.#catchUp(stream));
  }

  #startKeepalive(): void {
    if (this.#keepalive !== null) return;
    // One timer for all streams; a comment line keeps proxies and idle-timeouts from dropping a quiet stream.
    this.#keepalive = setInterval(() => {
      for (const stream of this.#streams) if (stream.live) stream.res.write(': keepalive\n\n');
    }, this.#keepaliveMs);
    this.#keepalive.unref();
  }

  #stopKeepalive(): void {
    if (this.#keepalive !== null) clearInterval(this.#keepalive);
    this.#keepalive = null;
  }
}

/** A provider's event name goes into a field line; a line break in it would forge further fields. */
export function sseField(value: string): string {
  return value.replace(/[\r\n]/g, ' ');
}
