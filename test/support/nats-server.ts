// Debian's nats-server with JetStream, for tests and the bench: 127.0.0.1, a random port on first start (the same
// port again on restart), a temp store dir, and an optional config block (users, permissions). Killed with the
// process that started it, whatever way that ends.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Debian installs it in /usr/sbin, which a user's PATH may lack; elsewhere it is looked up on PATH. */
export const NATS_SERVER = fs.existsSync('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : 'nats-server';
const READY_TIMEOUT_MS = 10_000;

export interface NatsServerOptions {
  /** Extra configuration, e.g. an `authorization { users = [...] }` block. */
  config?: string;
}

export class NatsServer {
  readonly dir: string;
  readonly #config: string;
  #port = -1;
  #child: ChildProcess | null = null;

  private constructor(dir: string, config: string) {
    this.dir = dir;
    this.#config = config;
  }

  static async start(options: NatsServerOptions = {}): Promise<NatsServer> {
    const server = new NatsServer(fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-nats-')), options.config ?? '');
    await server.#spawn();
    return server;
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.#port}`;
  }

  get running(): boolean {
    return this.#child !== null && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Ends the broker at once, as a crash or a power cut would (the store keeps what it synced). */
  async kill(): Promise<void> {
    const child = this.#child;
    this.#child = null;
    if (child === null || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** Starts again on the same port with the same store. */
  async restart(): Promise<void> {
    await this.kill();
    await this.#spawn();
  }

  async stop(): Promise<void> {
    await this.kill();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  async #spawn(): Promise<void> {
    const conf = path.join(this.dir, 'nats.conf');
    const store = path.join(this.dir, 'store');
    fs.writeFileSync(conf, `listen: "127.0.0.1:${this.#port}"\njetstream { store_dir: ${JSON.stringify(store)} }\n${this.#config}\n`);
    const child = spawn(NATS_SERVER, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.#child = child;
    const stopWithUs = (): void => void child.kill('SIGKILL');
    process.once('exit', stopWithUs);
    child.once('exit', () => process.removeListener('exit', stopWithUs));
    this.#port = await new Promise<number>((resolve, reject) => {
      let log = '';
      const timer = setTimeout(() => fail(new Error(`nats-server did not start in time: ${log}`)), READY_TIMEOUT_MS);
      const fail = (error: Error): void => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(error);
      };
      child.once('error', fail);
      child.once('exit', (code) => fail(new Error(`nats-server exited (${code}): ${log}`)));
      child.stderr!.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        const port = /Listening for client connections on 127\.0\.0\.1:(\d+)/.exec(log)?.[1];
        if (port !== undefined && log.includes('Server is ready')) {
          clearTimeout(timer);
          child.removeAllListeners('exit');
          child.once('exit', () => process.removeListener('exit', stopWithUs));
          // Keep reading, so a chatty broker never blocks on a full pipe.
          child.stderr!.removeAllListeners('data');
          child.stderr!.resume();
          resolve(Number(port));
        }
      });
    });
  }
}
