// A real local API for tests: a real engine (SQLite in a temp dir, the hub, the one Control) without its own
// endpoint, served by a local API started here on 127.0.0.1 port 0 (so tests can restart it with other options),
// and small real-client helpers (fetch, curl, an SSE reader that parses the stream itself).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CreateTokenRequest } from '../../../shared/agent-tokens.ts';
import type { MailEvent, StoredEvent } from '../../../shared/event.ts';
import type { LocalApiContext } from '../../../daemon/local-api/context.ts';
import type { LocalApi, LocalApiOptions } from '../../../daemon/local-api/server.ts';
import { startLocalApi } from '../../../daemon/local-api/server.ts';
import type { EngineOptions } from '../../../daemon/engine.ts';
import { startEngine, type Engine } from '../../../daemon/engine.ts';
import type { EventHub } from '../../../daemon/hub.ts';
import { createLogger } from '../../../daemon/log.ts';
import type { ConsumerStore } from '../../../daemon/store/consumers.ts';
import type { EventStore } from '../../../daemon/store/events.ts';
import { testDaemonOptions } from '../../support/daemon-options.ts';

export interface Harness {
  root: string;
  dataDir: string;
  engine: Engine;
  events: EventStore;
  consumers: ConsumerStore;
  hub: EventHub;
  ctx: LocalApiContext;
  api: LocalApi;
  token: string;
  /** Failures reported to the local API and the engine's log. */
  errors: unknown[];
  /** Commits through the store, which publishes to the hub: the engine's one write path. */
  commit(events: readonly MailEvent[], account?: string): StoredEvent[];
  /** fetch against the TCP endpoint with the Bearer token. */
  get(pathAndQuery: string, init?: RequestInit): Promise<Response>;
  /** A new agent token (read scope, every inbox and sender unless given). */
  agentToken(request: Partial<CreateTokenRequest> & { name: string }): string;
  /** fetch against the TCP endpoint with another token (an agent's). */
  getAs(token: string, pathAndQuery: string, init?: RequestInit): Promise<Response>;
  restart(options?: Partial<LocalApiOptions>): Promise<void>;
  close(): Promise<void>;
}

let nextId = 0;

export function mailEvent(overrides: Partial<MailEvent> = {}): MailEvent {
  nextId += 1;
  return {
    event: 'message.received',
    event_id: `evt_${process.pid}_${nextId}`,
    occurred_at: '2026-02-24T10:05:00.000Z',
    inbox_id: 'inb_a',
    thread_id: `thr_${nextId}`,
    message: { id: `msg_${nextId}`, from: 'customer@example.com', to: 'agent@openmail.sh', subject: `Order ${nextId}`, body_text: 'Thanks' },
    ...overrides,
  };
}

export function mailEvents(n: number, overrides: Partial<MailEvent> = {}): MailEvent[] {
  return Array.from({ length: n }, () => mailEvent(overrides));
}

export interface HarnessOptions extends Partial<LocalApiOptions> {
  ctx?: Partial<LocalApiContext>;
  /** Engine options (forward targets, retry schedule); its own endpoint stays off. */
  engine?: Partial<EngineOptions>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-api-'));
  const dataDir = path.join(root, 'data');
  const errors: unknown[] = [];
  const log = createLogger('error', (line) => errors.push(line));
  const engine = await startEngine(testDaemonOptions(dataDir, { log, ...options.engine, port: null }));
  const { events, consumers, hub } = engine.daemon;
  const commit = (batch: readonly MailEvent[], account = 'work'): StoredEvent[] => events.commit(account, batch).stored;
  const ctx: LocalApiContext = {
    version: '0.0.0-test',
    dataDir,
    events,
    consumers,
    hub,
    control: engine.control,
    agents: engine.daemon.tokens,
    proxy: engine.daemon.proxy,
    sendingAccounts: () => engine.daemon.sendingAccounts(),
    toolSends: engine.daemon.toolSends,
    attachments: engine.daemon.attachments,
    onError: (error) => errors.push(error),
    ...options.ctx,
  };
  const { ctx: _ctx, engine: _engine, ...rest } = options;
  const startOptions: LocalApiOptions = { port: 0, socketDir: path.join(root, 'run'), dashboardDir: null, ...rest };
  let api = await startLocalApi(ctx, startOptions);
  const harness: Harness = {
    root,
    dataDir,
    engine,
    events,
    consumers,
    hub,
    ctx,
    api,
    token: fs.readFileSync(api.tokenFile, 'utf8').trim(),
    errors,
    commit,
    get: (pathAndQuery, init = {}) =>
      fetch(`${harness.api.url}${pathAndQuery}`, {
        ...init,
        headers: { Authorization: `Bearer ${harness.token}`, ...(init.headers as Record<string, string> | undefined) },
      }),
    agentToken: (request) => engine.daemon.tokens.create({ scope: 'read', inboxIds: [], allowSenders: [], ...request }).token,
    getAs: (token, pathAndQuery, init = {}) =>
      fetch(`${harness.api.url}${pathAndQuery}`, {
        ...init,
        headers: { Authorization: `Bearer ${token}`, ...(init.headers as Record<string, string> | undefined) },
      }),
    restart: async (overrides = {}) => {
      await api.close();
      api = await startLocalApi(ctx, { ...startOptions, ...overrides });
      harness.api = api;
      harness.token = fs.readFileSync(api.tokenFile, 'utf8').trim();
    },
    close: async () => {
      await harness.api.close();
      await engine.daemon.stop();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
  return harness;
}

export interface CurlResult {
  status: number;
  headers: string;
  body: string;
}

/** Runs the real curl; `-w` appends the status so the body and the status come back together. */
export function curl(args: readonly string[]): Promise<CurlResult> {
  return new Promise((resolve, reject) => {
    execFile(
      '/usr/bin/curl',
      ['-sS', '--max-time', '15', '-D', '-', '-o', '-', '-w', '\n%{http_code}', ...args],
      { maxBuffer: 16 * 1024 * 1024 },
      (error, stdout) => {
        if (error) {
          reject(error);
          return;
        }
        const cut = stdout.lastIndexOf('\n');
        const text = stdout.slice(0, cut);
        const split = text.indexOf('\r\n\r\n');
        resolve({ status: Number(stdout.slice(cut + 1)), headers: text.slice(0, split), body: text.slice(split + 4) });
      },
    );
  });
}

export interface SseMessage {
  id: string | null;
  event: string;
  data: string;
}

/** A minimal EventSource: reads the stream with fetch and parses fields per the SSE spec. */
export class SseReader {
  readonly messages: SseMessage[] = [];
  readonly comments: string[] = [];
  retry: number | null = null;
  status = 0;
  ended = false;
  readonly #controller = new AbortController();
  #waiters: Array<() => void> = [];

  static async open(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
    const reader = new SseReader();
    const res = await fetch(url, { headers: { Accept: 'text/event-stream', ...headers }, signal: reader.#controller.signal });
    reader.status = res.status;
    if (res.body === null || !res.ok) {
      reader.ended = true;
      return reader;
    }
    void reader.#pump(res.body);
    return reader;
  }

  async #pump(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    let event: { id: string | null; event: string; data: string[] } = { id: null, event: 'message', data: [] };
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk, { stream: true });
        for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
          const line = buffer.slice(0, newline).replace(/\r$/, '');
          buffer = buffer.slice(newline + 1);
          if (line === '') {
            if (event.data.length > 0) this.messages.push({ id: event.id, event: event.event, data: event.data.join('\n') });
            event = { id: null, event: 'message', data: [] };
            continue;
          }
          if (line.startsWith(':')) {
            this.comments.push(line.slice(1).trim());
            continue;
          }
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'id') event.id = value;
          else if (field === 'event') event.event = value;
          else if (field === 'data') event.data.push(value);
          else if (field === 'retry') this.retry = Number(value);
        }
        this.#wake();
      }
    } catch {
      // Aborted by close(), or cut by the server: either way the stream has ended.
    }
    this.ended = true;
    this.#wake();
  }

  #wake(): void {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }

  /** Resolves once `check` holds, or rejects after `timeoutMs`. */
  async until(check: (reader: SseReader) => boolean, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check(this)) {
      if (Date.now() > deadline) throw new Error(`SSE: condition not met in ${timeoutMs} ms (${this.messages.length} messages)`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  seqs(): number[] {
    return this.messages.map((message) => (JSON.parse(message.data) as StoredEvent).seq);
  }

  close(): void {
    this.#controller.abort();
  }
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
