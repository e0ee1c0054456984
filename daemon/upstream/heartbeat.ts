// Half-open detection: a socket whose peer vanished (lid closed, Wi-Fi gone, NAT entry expired) still looks
// open. We ping on an interval and declare the socket dead when nothing at all arrives by the deadline.
// Worst case detection = intervalMs + timeoutMs (20 s with the defaults, inside the 25 s goal).
import type { TimerHandle, Timers } from '../clock.ts';

export interface HeartbeatPolicy {
  intervalMs: number;
  timeoutMs: number;
}

export const DEFAULT_HEARTBEAT: HeartbeatPolicy = { intervalMs: 10_000, timeoutMs: 10_000 };

export class Heartbeat {
  readonly #policy: HeartbeatPolicy;
  readonly #timers: Timers;
  readonly #sendPing: () => void;
  readonly #onDead: () => void;
  #interval: TimerHandle | null = null;
  #deadline: TimerHandle | null = null;
  #stopped = true;

  constructor(policy: HeartbeatPolicy, timers: Timers, sendPing: () => void, onDead: () => void) {
    this.#policy = policy;
    this.#timers = timers;
    this.#sendPing = sendPing;
    this.#onDead = onDead;
  }

  start(): void {
    this.#stopped = false;
    this.#schedulePing();
  }

  /** Any frame or pong from the peer proves the socket is alive. */
  alive(): void {
    if (this.#deadline !== null) {
      this.#timers.clearTimeout(this.#deadline);
      this.#deadline = null;
    }
  }

  stop(): void {
    this.#stopped = true;
    if (this.#interval !== null) this.#timers.clearTimeout(this.#interval);
    if (this.#deadline !== null) this.#timers.clearTimeout(this.#deadline);
    this.#interval = this.#deadline = null;
  }

  #schedulePing(): void {
    this.#interval = this.#timers.setTimeout(() => {
      if (this.#stopped) return;
      if (this.#deadline === null) {
        this.#deadline = this.#timers.setTimeout(() => {
          this.#deadline = null;
          if (this.#stopped) return;
          this.stop();
          this.#onDead();
        }, this.#policy.timeoutMs);
      }
      this.#sendPing();
      this.#schedulePing();
    }, this.#policy.intervalMs);
  }
}
