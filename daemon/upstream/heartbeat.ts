// Half-open detection: a socket whose peer vanished (lid closed, Wi-Fi gone, NAT entry expired) still looks
// open. Every frame from the peer proves the socket alive, so we ping only after `quietMs` without one, and
// declare the socket dead when nothing at all arrives within `timeoutMs` after the ping. Worst case detection =
// quietMs + timeoutMs after the last frame (14 s with the defaults); an idle socket costs one ping and one pong
// per `quietMs`, and a busy one none.
import type { TimerHandle, Timers } from '../clock.ts';

export interface HeartbeatPolicy {
  /** Time without any frame from the peer after which we ping. */
  quietMs: number;
  /** Time allowed after a ping for any frame to arrive. */
  timeoutMs: number;
}

export const DEFAULT_HEARTBEAT: HeartbeatPolicy = { quietMs: 10_000, timeoutMs: 4_000 };

export class Heartbeat {
  readonly #policy: HeartbeatPolicy;
  readonly #timers: Timers;
  readonly #sendPing: () => void;
  readonly #onDead: () => void;
  #timer: TimerHandle | null = null;
  #lastHeard = 0;
  #pingOut = false;
  #heardSincePing = false;

  constructor(policy: HeartbeatPolicy, timers: Timers, sendPing: () => void, onDead: () => void) {
    this.#policy = policy;
    this.#timers = timers;
    this.#sendPing = sendPing;
    this.#onDead = onDead;
  }

  start(): void {
    this.stop();
    this.#lastHeard = this.#timers.now();
    this.#schedule(this.#policy.quietMs);
  }

  /**
   * Any frame, ping or pong from the peer proves the socket alive. Only a time is noted, so a burst of events
   * costs no timer work; the one timer looks at it when it fires.
   */
  alive(): void {
    this.#lastHeard = this.#timers.now();
    this.#heardSincePing = true;
  }

  stop(): void {
    if (this.#timer !== null) this.#timers.clearTimeout(this.#timer);
    this.#timer = null;
    this.#pingOut = false;
  }

  #schedule(ms: number): void {
    this.#timer = this.#timers.setTimeout(() => this.#check(), ms);
  }

  #check(): void {
    this.#timer = null;
    if (this.#pingOut) {
      this.#pingOut = false;
      if (!this.#heardSincePing) return this.#onDead();
    }
    const now = this.#timers.now();
    // A wall clock set back would leave the last frame in the future and silence the heartbeat until it caught up.
    if (this.#lastHeard > now) this.#lastHeard = now;
    const quiet = now - this.#lastHeard;
    if (quiet < this.#policy.quietMs) {
      this.#schedule(this.#policy.quietMs - quiet);
      return;
    }
    this.#pingOut = true;
    this.#heardSincePing = false;
    this.#sendPing();
    this.#schedule(this.#policy.timeoutMs);
  }
}
