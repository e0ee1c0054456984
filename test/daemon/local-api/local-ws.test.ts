// The OpenMail-compatible local WebSocket against real sockets, a real SQLite store and real clients:
// the `ws` client (as in OpenMail's Node quickstart) and Python's `websockets` (as in its Python quickstart).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { MailEvent, StoredEvent } from '../../../shared/event.ts';
import { OWNER } from '../../../shared/principal.ts';
import { createEventHub, type EventHub } from '../../../daemon/hub.ts';
import { createLocalWs, type LocalWs, type LocalWsDeps } from '../../../daemon/local-api/local-ws.ts';
import { createLogger } from '../../../daemon/log.ts';
import { CLOSE_RATE_LIMITED } from '../../../daemon/openmail-protocol/policy.ts';
import { openDatabase, type Database } from '../../../daemon/store/db.ts';
import { EventStore } from '../../../daemon/store/events.ts';
import { waitFor } from '../../support/wait-for.ts';
import { mailEvent, mailEvents, startHarness, type Harness } from './harness.ts';

type Frame = Record<string, unknown>;

/** A `ws` client that queues every text frame, with bounded waits that fail loudly instead of hanging. */
class Client {
  readonly ws: WebSocket;
  readonly frames: Frame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #read = 0;

  constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => this.frames.push(JSON.parse(String(data)) as Frame));
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
  }

  static async open(url: string, options: WebSocket.ClientOptions = {}): Promise<Client> {
    const client = new Client(new WebSocket(url, options));
    await new Promise((resolve, reject) => {
      client.ws.once('open', resolve);
      client.ws.once('error', reject);
    });
    return client;
  }

  send(frame: object | string): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  async next(timeoutMs = 5_000): Promise<Frame> {
    await waitFor(() => this.frames.length > this.#read, timeoutMs, 'a frame');
    return this.frames[this.#read++] as Frame;
  }

  /** Proves nothing else was queued: frames on one connection arrive in order, so the next one is the pong. */
  async expectNothingBeforePong(): Promise<void> {
    this.send({ type: 'ping' });
    expect(await this.next()).toEqual({ type: 'pong' });
  }
}

/** The bare OpenMail payload a client must see: the committed event, without the local seq. */
function payload(event: StoredEvent): MailEvent {
  const { seq: _seq, ...rest } = event;
  return rest;
}

/** What the local WebSocket logged: a test that ends with anything here hit a failure no client saw. */
const logged: string[] = [];
const log = createLogger('warn', (line) => logged.push(line));

afterEach(() => {
  expect(logged.splice(0)).toEqual([]);
});

describe('local OpenMail WebSocket through the local API server', () => {
  let harness: Harness;
  let localWs: LocalWs;

  beforeEach(async () => {
    harness = await startHarness({ socketDir: null });
    localWs = createLocalWs({ events: harness.events, hub: harness.hub, log });
    harness.ctx.upgrades = new Map([['/v1/ws', { access: 'read', handle: (req, socket, head, principal) => localWs.handleUpgrade(req, socket, head, principal) }]]);
  });

  afterEach(async () => {
    await localWs.close();
    await harness.close();
  });

  const wsUrl = (): string => `${harness.api.url.replace('http:', 'ws:')}/v1/ws`;

  it.each([
    ['an Authorization header', (url: string, token: string) => new WebSocket(url, { headers: { Authorization: `Bearer ${token}` } })],
    ['?token=', (url: string, token: string) => new WebSocket(`${url}?token=${encodeURIComponent(token)}`)],
  ])("runs OpenMail's Node quickstart unchanged but for URL and key, authenticated with %s", async (_how, connect) => {
    const seen: Frame[] = [];
    // OpenMail's documented quickstart, with the local URL and the local token in place of the API key.
    const ws = connect(wsUrl(), harness.token);
    ws.on('open', () => {
      ws.send(JSON.stringify({ type: 'subscribe' }));
    });
    ws.on('message', (data) => {
      const event = JSON.parse(String(data)) as Frame;
      seen.push(event);
    });

    await waitFor(() => seen.length === 1, 5_000, 'subscribed');
    expect(seen[0]).toEqual({ type: 'subscribed', inbox_ids: [], event_types: [] });

    const [stored] = harness.commit([mailEvent({ inbox_id: 'inb_8f3a1b2c' })]);
    await waitFor(() => seen.length === 2, 5_000, 'the event');
    expect(seen[1]).toEqual(payload(stored as StoredEvent));
    expect(seen[1]).not.toHaveProperty('type');
    expect(seen[1]).not.toHaveProperty('seq');

    ws.send(JSON.stringify({ type: 'ping' }));
    await waitFor(() => seen.length === 3, 5_000, 'pong');
    expect(seen[2]).toEqual({ type: 'pong' });
    ws.close();
    await new Promise((resolve) => ws.once('close', resolve));
  });

  it('refuses a handshake without the local token before the WebSocket sees it', async () => {
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(wsUrl(), { headers: { Authorization: 'Bearer not-the-token' } });
      ws.once('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        ws.terminate();
      });
      ws.once('error', () => {});
    });
    expect(status).toBe(401);
    expect(localWs.clientCount()).toBe(0);
  });

  it("serves OpenMail's Python quickstart (websockets) unchanged but for URL and key", async () => {
    const script = `
import asyncio, json, sys
from websockets import connect

async def main():
    uri, key = sys.argv[1], sys.argv[2]
    headers = {"Authorization": f"Bearer {key}"}
    async with connect(uri, extra_headers=headers) as ws:
        await ws.send(json.dumps({"type": "subscribe", "event_types": ["message.received"]}))
        async for raw in ws:
            event = json.loads(raw)
            if event.get("type") == "subscribed":
                print("SUBSCRIBED " + json.dumps(event), flush=True)
            elif event.get("event") == "message.received":
                print("EVENT " + json.dumps(event), flush=True)
                await ws.send(json.dumps({"type": "ping"}))
            elif event.get("type") == "pong":
                print("PONG", flush=True)
                return

asyncio.run(asyncio.wait_for(main(), 15))
`;
    const python = spawn('/usr/bin/python3', ['-c', script, wsUrl(), harness.token], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    python.stdout.on('data', (chunk) => (stdout += chunk));
    python.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => python.once('exit', resolve));
    try {
      await waitFor(() => stdout.includes('SUBSCRIBED'), 10_000, `the Python client to subscribe (stderr: ${stderr})`);
      harness.commit([mailEvent({ event: 'inbox.suspended', inbox_id: 'inb_a' })]);
      const [wanted] = harness.commit([mailEvent({ inbox_id: 'inb_py' })]);
      expect(await exited).toBe(0);
      const lines = stdout.trim().split('\n');
      expect(JSON.parse(lines[0]!.slice('SUBSCRIBED '.length))).toEqual({ type: 'subscribed', inbox_ids: [], event_types: ['message.received'] });
      expect(lines.slice(1, -1).map((line) => JSON.parse(line.slice('EVENT '.length)))).toEqual([payload(wanted as StoredEvent)]);
      expect(lines.at(-1)).toBe('PONG');
    } finally {
      python.kill();
    }
  });
});

describe('local OpenMail WebSocket protocol', () => {
  let root: string;
  let db: Database;
  let events: EventStore;
  let hub: EventHub;
  let release: () => void;
  let localWs: LocalWs;
  let server: http.Server;
  let url: string;
  const clients: Client[] = [];

  async function start(options: Partial<LocalWsDeps> = {}): Promise<void> {
    localWs = createLocalWs({ events, hub, log, ...options });
    // A stand-in for the server core: it only routes upgrades on /v1/ws to the handler.
    server = http.createServer((_req, res) => res.writeHead(404).end());
    server.on('upgrade', (req, socket, head) => {
      if (new URL(req.url ?? '/', 'http://127.0.0.1').pathname === '/v1/ws') localWs.handleUpgrade(req, socket, head, OWNER);
      else socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `ws://127.0.0.1:${(server.address() as { port: number }).port}/v1/ws`;
  }

  async function connect(options: WebSocket.ClientOptions = {}): Promise<Client> {
    const client = await Client.open(url, options);
    clients.push(client);
    return client;
  }

  /** Batches the store published while `holding`: committed, not yet fanned out. */
  let held: (readonly StoredEvent[])[] | null = null;

  function commit(batch: readonly MailEvent[]): StoredEvent[] {
    return events.commit('work', batch).stored;
  }

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-local-ws-'));
    db = openDatabase(path.join(root, 'events.db'));
    const feed = createEventHub((error) => {
      throw error;
    });
    hub = feed.hub;
    held = null;
    // The store's commit path publishes; a test may hold a publish back to play a fan-out that comes late.
    events = new EventStore(db, Date.now, (stored) => (held === null ? feed.publish(stored) : held.push(stored)));
    release = () => {
      const batches = held ?? [];
      held = null;
      for (const batch of batches) feed.publish(batch);
    };
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.ws.terminate();
    await localWs?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    db.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('replays every matching event after last_event_id with no 100-event cap, then continues live without gap or duplicate', async () => {
    await start();
    const before = commit(mailEvents(250));
    const client = await connect();
    const resumeFrom = before[9] as StoredEvent;
    client.send({ type: 'subscribe', last_event_id: resumeFrom.event_id });
    expect(await client.next()).toEqual({ type: 'subscribed', inbox_ids: [], event_types: [] });

    // Events committed while the replay is still paging through the store.
    expect(await client.next()).toEqual(payload(before[10] as StoredEvent));
    const during = commit(mailEvents(30));
    const rest: Frame[] = [];
    for (let i = 0; i < 239 + 30; i += 1) rest.push(await client.next());

    const after = commit(mailEvents(5));
    for (let i = 0; i < 5; i += 1) rest.push(await client.next());

    const expected = [...before.slice(11), ...during, ...after].map(payload);
    expect(rest).toEqual(expected);
    await client.expectNothingBeforePong();
  });

  it('does not send an event twice when its publish comes after the replay already read it from the store', async () => {
    await start();
    const published = commit(mailEvents(3));
    // Committed but not yet fanned out: the hub only promises that a publish follows the commit.
    held = [];
    const late = commit(mailEvents(2));
    const client = await connect();
    client.send({ type: 'subscribe', last_event_id: (published[0] as StoredEvent).event_id });
    expect(await client.next()).toEqual({ type: 'subscribed', inbox_ids: [], event_types: [] });
    const replayed: Frame[] = [];
    for (let i = 0; i < 4; i += 1) replayed.push(await client.next());
    expect(replayed).toEqual([...published.slice(1), ...late].map(payload));

    release();
    const live = commit(mailEvents(1));
    expect(await client.next()).toEqual(payload(live[0] as StoredEvent));
    await client.expectNothingBeforePong();
  });

  it('replays only what the subscription matches', async () => {
    await start();
    const first = commit([mailEvent({ inbox_id: 'inb_a' })])[0] as StoredEvent;
    const later = commit([
      mailEvent({ inbox_id: 'inb_a' }),
      mailEvent({ inbox_id: 'inb_b' }),
      mailEvent({ inbox_id: 'inb_b', event: 'inbox.suspended' }),
      mailEvent({ inbox_id: 'inb_b' }),
    ]);
    const client = await connect();
    client.send({ type: 'subscribe', inbox_ids: ['inb_b'], event_types: ['message.received'], last_event_id: first.event_id });
    expect(await client.next()).toEqual({ type: 'subscribed', inbox_ids: ['inb_b'], event_types: ['message.received'] });
    expect(await client.next()).toEqual(payload(later[1] as StoredEvent));
    expect(await client.next()).toEqual(payload(later[3] as StoredEvent));
    await client.expectNothingBeforePong();
  });

  it('accumulates inbox and event-type filters, and a subscribe without filters widens to everything', async () => {
    await start();
    const client = await connect();
    client.send({ type: 'subscribe', inbox_ids: ['inb_a'], event_types: ['message.received'] });
    expect(await client.next()).toEqual({ type: 'subscribed', inbox_ids: ['inb_a'], event_types: ['message.received'] });
    const round1 = commit([
      mailEvent({ inbox_id: 'inb_a' }),
      mailEvent({ inbox_id: 'inb_a', event: 'inbox.suspended' }),
      mailEvent({ inbox_id: 'inb_b' }),
    ]);
    expect(await client.next()).toEqual(payload(round1[0] as StoredEvent));
    await client.expectNothingBeforePong();

    client.send({ type: 'subscribe', inbox_ids: ['inb_b'], event_types: ['message.received'] });
    expect(await client.next()).toEqual({ type: 'subscribed', inbox_ids: ['inb_a', 'inb_b'], event_types: ['message.received'] });
    const round2 = commit([mailEvent({ inbox_id: 'inb_b' }), mailEvent({ inbox_id: 'inb_c' })]);
    expect(await client.next()).toEqual(payload(round2[0] as StoredEvent));
    await client.expectNothingBeforePong();

    client.send({ type: 'subscribe' });
    expect(await client.next()).toEqual({ type: 'subscribed', inbox_ids: [], event_types: [] });
    const round3 = commit([mailEvent({ inbox_id: null, event: 'pod.suspended' }), mailEvent({ inbox_id: 'inb_c' })]);
    expect(await client.next()).toEqual(payload(round3[0] as StoredEvent));
    expect(await client.next()).toEqual(payload(round3[1] as StoredEvent));
  });

  it('sends nothing before a subscribe', async () => {
    await start();
    const client = await connect();
    commit(mailEvents(3));
    await client.expectNothingBeforePong();
  });

  it('unsubscribes from one inbox, then from everything', async () => {
    await start();
    const client = await connect();
    client.send({ type: 'subscribe', inbox_ids: ['inb_a', 'inb_b'] });
    expect(await client.next()).toEqual({ type: 'subscribed', inbox_ids: ['inb_a', 'inb_b'], event_types: [] });

    client.send({ type: 'unsubscribe', inbox_ids: ['inb_a'] });
    expect(await client.next()).toEqual({ type: 'unsubscribed', inbox_ids: ['inb_a'] });
    const mixed = commit([mailEvent({ inbox_id: 'inb_a' }), mailEvent({ inbox_id: 'inb_b' })]);
    expect(await client.next()).toEqual(payload(mixed[1] as StoredEvent));
    await client.expectNothingBeforePong();

    client.send({ type: 'unsubscribe' });
    expect(await client.next()).toEqual({ type: 'unsubscribed', inbox_ids: [] });
    commit([mailEvent({ inbox_id: 'inb_b' })]);
    await client.expectNothingBeforePong();

    client.send({ type: 'subscribe' });
    expect(await client.next()).toEqual({ type: 'subscribed', inbox_ids: [], event_types: [] });
    const again = commit([mailEvent({ inbox_id: 'inb_a' })]);
    expect(await client.next()).toEqual(payload(again[0] as StoredEvent));
  });

  it('stops one inbox for a client subscribed to all of them, until it subscribes to that inbox again', async () => {
    await start();
    const client = await connect();
    client.send({ type: 'subscribe' });
    expect(await client.next()).toEqual({ type: 'subscribed', inbox_ids: [], event_types: [] });
    client.send({ type: 'unsubscribe', inbox_ids: ['inb_a'] });
    expect(await client.next()).toEqual({ type: 'unsubscribed', inbox_ids: ['inb_a'] });
    const first = commit([mailEvent({ inbox_id: 'inb_a' }), mailEvent({ inbox_id: 'inb_b' })]);
    expect(await client.next()).toEqual(payload(first[1] as StoredEvent));
    await client.expectNothingBeforePong();

    client.send({ type: 'subscribe', inbox_ids: ['inb_a'] });
    expect(await client.next()).toEqual({ type: 'subscribed', inbox_ids: [], event_types: [] });
    const second = commit([mailEvent({ inbox_id: 'inb_a' })]);
    expect(await client.next()).toEqual(payload(second[0] as StoredEvent));
  });

  it('answers an unknown last_event_id with an error and leaves the subscription as it was', async () => {
    await start();
    commit(mailEvents(3));
    const client = await connect();
    client.send({ type: 'subscribe', last_event_id: 'evt_never_seen' });
    expect(await client.next()).toEqual({ type: 'error', message: 'Unknown last_event_id' });
    commit(mailEvents(1));
    await client.expectNothingBeforePong();
  });

  it('answers invalid JSON, an unknown type and a binary frame with an error and keeps the connection', async () => {
    await start();
    const client = await connect();
    client.send('{not json');
    expect(await client.next()).toEqual({ type: 'error', message: 'Invalid JSON' });
    client.send({ type: 'teleport' });
    expect(await client.next()).toEqual({ type: 'error', message: 'Unknown message type: teleport' });
    client.send({ type: 'subscribe', inbox_ids: 'inb_a' });
    expect(await client.next()).toMatchObject({ type: 'error', message: expect.stringContaining('inbox_ids') });
    client.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await client.next()).toEqual({ type: 'error', message: 'Binary frames are not supported' });
    await client.expectNothingBeforePong();
  });

  it('closes a client over 30 messages in 10 s with 4029, as OpenMail does', async () => {
    await start();
    const client = await connect();
    for (let i = 0; i < 31; i += 1) client.send({ type: 'ping' });
    const closed = await client.closed;
    expect(closed.code).toBe(CLOSE_RATE_LIMITED);
    expect(client.frames.slice(0, 30)).toEqual(Array.from({ length: 30 }, () => ({ type: 'pong' })));
    expect(client.frames[30]).toMatchObject({ type: 'error', message: expect.stringContaining('Rate limit') });
  });

  it('drops a client that does not answer protocol pings and keeps one that does', async () => {
    await start({ pingIntervalMs: 40 });
    const silent = await connect({ autoPong: false });
    const answering = await connect();
    let pings = 0;
    answering.ws.on('ping', () => (pings += 1));

    const closed = await silent.closed;
    expect(closed.code).toBe(1006);
    await waitFor(() => pings >= 4, 5_000, 'several pings answered');
    expect(answering.ws.readyState).toBe(WebSocket.OPEN);
    expect(localWs.clientCount()).toBe(1);
  });

  it('gives a client that stops reading every event once, in order, when it reads again', async () => {
    await start();
    const client = await connect();
    client.send({ type: 'subscribe' });
    expect(await client.next()).toEqual({ type: 'subscribed', inbox_ids: [], event_types: [] });

    // Big events and a paused socket fill the kernel buffers and then the server's, past its high-water mark.
    const body = 'x'.repeat(32 * 1024);
    const socket = (client.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();
    const committed: StoredEvent[] = [];
    for (let i = 0; i < 30; i += 1) {
      committed.push(...commit(mailEvents(10, { message: { id: 'm', from: 'a@b', to: 'c@d', subject: 's', body_text: body } })));
    }
    socket.resume();

    const received: Frame[] = [];
    for (let i = 0; i < committed.length; i += 1) received.push(await client.next(10_000));
    expect(received.map((frame) => frame.event_id)).toEqual(committed.map((event) => event.event_id));
    await client.expectNothingBeforePong();
  });

  it('closes every client with 1001 on close() and refuses new upgrades after', async () => {
    await start();
    const a = await connect();
    const b = await connect();
    expect(localWs.clientCount()).toBe(2);
    await localWs.close();
    expect((await a.closed).code).toBe(1001);
    expect((await b.closed).code).toBe(1001);
    expect(localWs.clientCount()).toBe(0);
    await expect(Client.open(url)).rejects.toThrow(/503/);
  });
});
