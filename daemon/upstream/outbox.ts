// Client frames to the provider, paced to its budget: a provider closes a connection that sends faster than it
// allows (OpenMail: 30 messages per 10 s), so frames wait their turn instead.
import type { TimerHandle, Timers } from '../clock.ts';
import { SlidingWindow } from '../rate-limit.ts';

export interface OutboxSocket {
  /** Whether a frame can be written now; frames wait while it cannot. */
  ready(): boolean;
  send(frame: string): void;
}

/** One socket's outgoing frames, in order, within `rate`. */
export class Outbox {
  readonly #socket: OutboxSocket;
  readonly #timers: Timers;
  readonly #limiter: SlidingWindow;
  #frames: string[] = [];
  #timer: TimerHandle | null = null;

  constructor(rate: { messages: number; perMs: number }, timers: Timers, socket: OutboxSocket) {
    this.#socket = socket;
    this.#timers = timers;
    this.#limiter = new SlidingWindow(rate.messages, rate.perMs);
  }

  send(frame: string): void {
    this.#frames.push(frame);
    this.#drain();
  }

  /** The socket is gone: what waits is dropped (a new socket subscribes afresh). */
  stop(): void {
    if (this.#timer !== null) this.#timers.clearTimeout(this.#timer);
    this.#timer = null;
    this.#frames = [];
  }

  #drain(): void {
    if (this.#timer !== null) return;
    while (this.#frames.length > 0 && this.#socket.ready()) {
      const wait = this.#limiter.waitMs(this.#timers.now());
      if (wait > 0) {
        this.#timer = this.#timers.setTimeout(() => {
          this.#timer = null;
          this.#drain();
        }, wait);
        return;
      }
      this.#limiter.record(this.#timers.now());
      this.#socket.send(this.#frames.shift()!);
    }
  }
}
