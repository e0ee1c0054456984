// The newest committed events, each serialized and encoded once, for readers that have fallen a little behind. Without it each
// reader catching up read the same rows from SQLite, parsed them and serialized them again: with ten SSE readers
// in a burst that was the largest cost in the engine (bench b's profile). Filled from the hub, so it only ever
// holds committed events; it covers every event after `coveredAfter`, and a reader behind that reads the store.
// Bounded by count, bytes and age, and empty while no reader needs it. Only what a reader's filter reads is kept
// beside each frame, not the event: thousands of retained events grew a burst's peak RSS by some 100 MB.
import type { StoredEvent } from '../../shared/event.ts';

export interface RecentFramesLimits {
  maxEvents: number;
  /** Of encoded frames. */
  maxBytes: number;
  /** A frame older than this goes, so an idle engine does not hold the last burst. */
  maxAgeMs: number;
}

export const DEFAULT_RECENT_FRAMES: RecentFramesLimits = { maxEvents: 8_192, maxBytes: 8 * 1024 * 1024, maxAgeMs: 10_000 };

/** What a reader's filter and its principal's visibility look at. */
export type FrameHead = Pick<StoredEvent, 'seq' | 'event' | 'inbox_id'> & { from: string | null };

interface Entry {
  head: FrameHead;
  frame: Buffer;
  at: number;
}

export interface FramesPage {
  /** The frames of the events that passed `wants`, joined: bytes, so no socket encodes them again. */
  chunk: Buffer;
  /** How many frames `text` holds. */
  count: number;
  /** The last seq looked at, wanted or not: the reader's next position. */
  lastSeq: number;
}

export interface RecentFramesDeps {
  serialize(event: StoredEvent): string;
  /** The newest committed seq, where coverage starts when the window opens. */
  latestSeq(): number;
  now(): number;
  limits?: RecentFramesLimits;
}

export class RecentFrames {
  readonly #deps: RecentFramesDeps;
  readonly #limits: RecentFramesLimits;
  #entries: Entry[] = [];
  /** Entries before this index are dropped (compacted now and then rather than shifted one by one). */
  #head = 0;
  #bytes = 0;
  #coveredAfter = 0;
  #open = false;
  #timer: NodeJS.Timeout | null = null;

  constructor(deps: RecentFramesDeps) {
    this.#deps = deps;
    this.#limits = deps.limits ?? DEFAULT_RECENT_FRAMES;
  }

  /** Starts keeping frames: from now on every committed event is covered. */
  open(): void {
    if (this.#open) return;
    this.#open = true;
    this.#coveredAfter = this.#deps.latestSeq();
  }

  /** Drops everything and stops keeping frames. */
  close(): void {
    this.#open = false;
    this.#entries = [];
    this.#head = 0;
    this.#bytes = 0;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  get size(): number {
    return this.#entries.length - this.#head;
  }

  /** True when every event after `after` is here (or none has been committed since). */
  covers(after: number): boolean {
    return this.#open && after >= this.#coveredAfter;
  }

  /** Takes a committed batch, in seq order, straight from the hub. */
  append(batch: readonly StoredEvent[]): void {
    if (!this.#open) return;
    const at = this.#deps.now();
    for (const event of batch) {
      const frame = Buffer.from(this.#deps.serialize(event));
      const from = typeof event.message?.from === 'string' ? event.message.from : null;
      this.#entries.push({ head: { seq: event.seq, event: event.event, inbox_id: event.inbox_id, from }, frame, at });
      this.#bytes += frame.length;
    }
    this.#trim();
    this.#arm();
  }

  /** Frames after `after` that `wants` accepts, up to about `maxBytes` of them. Only when covers(after). */
  page(after: number, wants: (head: FrameHead) => boolean, maxBytes: number): FramesPage {
    const parts: Buffer[] = [];
    let bytes = 0;
    let lastSeq = after;
    for (let i = this.#firstAfter(after); i < this.#entries.length && bytes < maxBytes; i++) {
      const entry = this.#entries[i]!;
      lastSeq = entry.head.seq;
      if (!wants(entry.head)) continue;
      parts.push(entry.frame);
      bytes += entry.frame.length;
    }
    return { chunk: Buffer.concat(parts, bytes), count: parts.length, lastSeq };
  }

  #firstAfter(seq: number): number {
    let low = this.#head;
    let high = this.#entries.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.#entries[mid]!.head.seq <= seq) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** One timer, for when the oldest frame grows too old; none while empty. */
  #arm(): void {
    if (this.#timer !== null || this.size === 0) return;
    const dueIn = this.#entries[this.#head]!.at + this.#limits.maxAgeMs - this.#deps.now();
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#trim();
      this.#arm();
    }, Math.max(dueIn, 0) + 1);
    this.#timer.unref();
  }

  #trim(): void {
    const { maxEvents, maxBytes, maxAgeMs } = this.#limits;
    const oldest = this.#deps.now() - maxAgeMs;
    while (this.size > 0) {
      const first = this.#entries[this.#head]!;
      if (this.size <= maxEvents && this.#bytes <= maxBytes && first.at > oldest) break;
      this.#head += 1;
      this.#bytes -= first.frame.length;
      this.#coveredAfter = first.head.seq;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
  }
}
