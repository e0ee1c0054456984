// The parent's handle on a daemon child (bench/daemon-child.ts): start it with options, learn its endpoint,
// follow its upstream states, signal it (SIGSTOP, SIGCONT, SIGKILL) and always reap it.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildMessage, ChildOptions } from './child-protocol.ts';

const CHILD_ENTRY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'daemon-child.ts');
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;

export interface StateChange {
  state: string;
  at: number;
}

export interface SpawnOptions {
  /** Where the child's stdout and stderr go (appended). */
  logFile: string;
  /** Extra Node flags, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
}

export class DaemonProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly url: string;
  readonly socket: string | null;
  readonly token: string;
  readonly states: StateChange[] = [];
  readonly exited: Promise<void>;
  readonly #stateWaiters = new Set<() => void>();

  private constructor(child: ChildProcess, ready: Extract<ChildMessage, { type: 'ready' }>, exited: Promise<void>) {
    this.child = child;
    this.pid = ready.pid;
    if (ready.url === null || ready.tokenFile === null) throw new Error('the daemon child was started without an endpoint');
    this.url = ready.url;
    this.socket = ready.socket;
    this.token = fs.readFileSync(ready.tokenFile, 'utf8').trim();
    this.exited = exited;
  }

  static async start(options: ChildOptions, spawnOptions: SpawnOptions): Promise<DaemonProcess> {
    const log = fs.openSync(spawnOptions.logFile, 'a');
    const child = spawn(process.execPath, [...(spawnOptions.nodeArgs ?? []), CHILD_ENTRY], {
      stdio: ['ignore', log, log, 'ipc'],
      cwd: path.dirname(CHILD_ENTRY),
    });
    fs.closeSync(log);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const early: ChildMessage[] = [];
    const collect = (message: ChildMessage): void => void early.push(message);
    child.on('message', collect);
    child.send({ type: 'start', options });
    const ready = await new Promise<Extract<ChildMessage, { type: 'ready' }>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`daemon child did not start within ${START_TIMEOUT_MS} ms (log: ${spawnOptions.logFile})`)), START_TIMEOUT_MS);
      const onMessage = (message: ChildMessage): void => {
        if (message.type === 'ready') finish(() => resolve(message));
        if (message.type === 'failed') finish(() => reject(new Error(`daemon child failed to start: ${message.message}`)));
      };
      const onExit = (code: number | null, signal: string | null): void =>
        finish(() => reject(new Error(`daemon child exited during start (${signal ?? code}); log: ${spawnOptions.logFile}`)));
      const finish = (settle: () => void): void => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        settle();
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    }).catch(async (error: unknown) => {
      child.kill('SIGKILL');
      await exited;
      throw error;
    });
    child.off('message', collect);
    const handle = new DaemonProcess(child, ready, exited);
    for (const message of early) handle.#onMessage(message);
    child.on('message', (message: ChildMessage) => handle.#onMessage(message));
    return handle;
  }

  #onMessage(message: ChildMessage): void {
    if (message.type !== 'state') return;
    this.states.push({ state: message.state, at: message.at });
    for (const wake of this.#stateWaiters) wake();
  }

  /** The first change to `state` at or after `since` (epoch ms), waiting up to `timeoutMs` for it. */
  async waitForState(state: string, since: number, timeoutMs: number): Promise<StateChange> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.states.find((change) => change.state === state && change.at >= since);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`daemon child did not reach '${state}' within ${timeoutMs} ms (states: ${this.states.map((s) => s.state).join(' > ')})`);
      await new Promise<void>((resolve) => {
        const waiters = this.#stateWaiters;
        const done = (): void => {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(left, 1_000));
        waiters.add(done);
      });
    }
  }

  get state(): string | null {
    return this.states.at(-1)?.state ?? null;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** SIGKILL, and wait until the kernel has reaped it (its instance lock is stale only then). */
  async kill(): Promise<void> {
    this.signal('SIGKILL');
    await this.exited;
  }

  /** A clean stop (SIGCONT first, in case it is suspended); SIGKILL if it does not finish in time. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGCONT');
    if (this.child.connected) this.child.send({ type: 'stop' });
    else this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timer);
  }
}
