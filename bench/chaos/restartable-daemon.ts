// The daemon child as chaos sees it: one data directory, killed and started again at will, with the current
// endpoint (a new port after each start) for the agents, and null while it is down.
import path from 'node:path';
import type { ChildOptions } from '../child-protocol.ts';
import type { Endpoint } from '../clients/endpoint.ts';
import { DaemonProcess } from '../daemon-process.ts';

export class RestartableDaemon {
  readonly #options: ChildOptions;
  readonly #logFile: string;
  #current: DaemonProcess | null = null;
  #busy: Promise<void> | null = null;
  starts = 0;

  constructor(options: ChildOptions, logDir: string) {
    this.#options = options;
    this.#logFile = path.join(logDir, 'daemon.log');
  }

  get logFile(): string {
    return this.#logFile;
  }

  get current(): DaemonProcess | null {
    return this.#current;
  }

  /** True while a kill-and-restart is under way. */
  get busy(): boolean {
    return this.#busy !== null;
  }

  endpoint(): Endpoint | null {
    const current = this.#current;
    if (current === null || !current.running) return null;
    return { url: current.url, socket: current.socket, token: current.token };
  }

  async start(): Promise<void> {
    this.#current = await DaemonProcess.start(this.#options, { logFile: this.#logFile });
    this.starts += 1;
  }

  /** SIGKILL (no chance to flush or say goodbye), then the same options and data dir after `downMs`. */
  killAndRestart(downMs: number): Promise<void> {
    this.#busy ??= (async () => {
      try {
        await this.#current?.kill();
        this.#current = null;
        await new Promise((resolve) => setTimeout(resolve, downMs));
        await this.start();
      } finally {
        this.#busy = null;
      }
    })();
    return this.#busy;
  }

  /** SIGSTOP for `pausedMs`, then SIGCONT: a short sleep of the machine. */
  async pause(pausedMs: number): Promise<void> {
    const current = this.#current;
    if (current === null) return;
    current.signal('SIGSTOP');
    await new Promise((resolve) => setTimeout(resolve, pausedMs));
    current.signal('SIGCONT');
  }

  /** Waits for a restart in progress, so the daemon is running when this resolves. */
  async settled(): Promise<void> {
    while (this.#busy !== null) await this.#busy;
    if (this.#current === null || !this.#current.running) await this.start();
  }

  async stop(): Promise<void> {
    while (this.#busy !== null) await this.#busy.catch(() => {});
    await this.#current?.stop();
    this.#current = null;
  }
}
