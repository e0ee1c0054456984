// Server-Sent Events on `GET /v1/stream`. A stream first replays the store after its cursor, then follows the
// hub. The store is the buffer: when a client reads slower than events arrive, its stream stops taking live
// events and, once the socket drains, catches up from the store again. So a slow reader never holds more
// than one socket buffer in memory, never blocks the others, and still misses nothing. Readers a little behind
// catch up from the newest frames, serialized once for all of them (recent-frames.ts), and every page or
// committed batch goes to a socket as one write.
import type { ServerResponse } from 'node:http';
import type { StoredEvent } from '../../shared/event.ts';
import type { Principal } from '../../shared/principal.ts';
import { canSee, canSeeMail, seesEverything } from '../access/visibility.ts';
import type { EventHub } from '../hub.ts';
import type { EventStore } from '../store/events.ts';
import type { StreamFilter } from './event-filter.ts';
import { matchesFilter } from './event-filter.ts';
import { eventJson } from './event-json.ts';
import { RecentFrames, type FramesPage, type RecentFramesLimits } from './recent-frames.ts';

export const KEEPALIVE_MS = 15_000;
/** Tells EventSource how soon to reconnect after the stream drops. */
export const RETRY_MS = 2_000;
const PAGE_SIZE = 200;
/** Text per write while catching up from the recent frames: about a store page's worth. */
const PAGE_BYTES = 256 * 1024;
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
  readonly #events: Pick<EventStore, 'after' | 'latestSeq'>;
  readonly #recent: RecentFrames;
  readonly #unsubscribe: () => void;
  readonly #keepaliveMs: number;
  #keepalive: NodeJS.Timeout | null = null;

  constructor(
    hub: EventHub,
    events: Pick<EventStore, 'after' | 'latestSeq'>,
    keepaliveMs: number = KEEPALIVE_MS,
    recentLimits?: RecentFramesLimits,
  ) {
    this.#events = events;
    this.#keepaliveMs = keepaliveMs;
    this.#recent = new RecentFrames({
      serialize: sseFrame,
      latestSeq: () => events.latestSeq(),
      now: () => performance.now(),
      ...(recentLimits ? { limits: recentLimits } : {}),
    });
    this.#unsubscribe = hub.onCommitted((batch) => {
      this.#recent.append(batch);
      this.#deliver(batch);
    });
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
    this.#recent.open();
    res.once('close', () => {
      stream.closed = true;
      this.#streams.delete(stream);
      if (this.#streams.size > 0) return;
      this.#stopKeepalive();
      this.#recent.close();
    });
    this.#startKeepalive();
    this.#catchUp(stream);
  }

  /** Ends every stream; EventSource clients reconnect with Last-Event-ID to whoever serves next. */
  close(): void {
    this.#unsubscribe();
    this.#stopKeepalive();
    this.#recent.close();
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
    const page = this.#recent.covers(stream.cursor) ? this.#recentPage(stream) : this.#storePage(stream);
    if (page.count === 0 && page.lastSeq <= stream.cursor) {
      stream.live = true;
      return;
    }
    stream.cursor = page.lastSeq;
    if (page.count > 0 && !this.#write(stream, page.chunk)) {
      this.#waitForDrain(stream);
      return;
    }
    // A reader as fast as the server never fills its socket; yielding per page keeps one long backlog from
    // starving every other client.
    setImmediate(() => this.#catchUp(stream));
  }

  #recentPage(stream: Stream): FramesPage {
    const { filter, principal } = stream;
    return this.#recent.page(
      stream.cursor,
      (head) => matchesFilter(head, filter) && canSeeMail(principal, head.inbox_id, head.from),
      PAGE_BYTES,
    );
  }

  #storePage(stream: Stream): FramesPage {
    const page = this.#events.after(stream.cursor, PAGE_SIZE, stream.filter);
    const visible = seesEverything(stream.principal) ? page : page.filter((event) => canSee(stream.principal, event));
    return { chunk: Buffer.from(visible.map(sseFrame).join('')), count: visible.length, lastSeq: page.at(-1)?.seq ?? stream.cursor };
  }

  #deliver(batch: readonly StoredEvent[]): void {
    // Streams without a filter, usually all of them, share one encoded chunk per batch.
    let unfiltered: Buffer | null = null;
    for (const stream of this.#streams) {
      if (!stream.live) continue;
      const { filter, principal } = stream;
      const fresh = batch[0]!.seq > stream.cursor;
      const everything = fresh && filter.inboxId === undefined && filter.eventType === undefined && seesEverything(principal);
      let chunk: Buffer | string;
      if (everything) {
        unfiltered ??= Buffer.from(batch.map(sseFrame).join(''));
        chunk = unfiltered;
      } else {
        chunk = batch
          .filter((event) => event.seq > stream.cursor && matchesFilter(event, filter) && canSee(principal, event))
          .map(sseFrame)
          .join('');
      }
      stream.cursor = Math.max(stream.cursor, batch.at(-1)!.seq);
      if (chunk.length > 0 && !this.#write(stream, chunk)) {
        // What follows is in the store (and the recent frames); the catch-up after 'drain' sends it.
        stream.live = false;
        this.#waitForDrain(stream);
      }
    }
  }

  /** One write; false once the stream holds more unsent bytes than it may (a 'drain' then follows). */
  #write(stream: Stream, chunk: Buffer | string): boolean {
    const flowing = stream.res.write(chunk);
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

/** One event as an SSE message: id = seq, event = type, data = the stored event. */
function sseFrame(event: StoredEvent): string {
  return `id: ${event.seq}\nevent: ${sseField(event.event)}\ndata: ${eventJson(event)}\n\n`;
}

/** A provider's event name goes into a field line; a line break in it would forge further fields. */
export function sseField(value: string): string {
  return value.replace(/[\r\n]/g, ' ');
}
