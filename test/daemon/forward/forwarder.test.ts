// Webhook forwarding against a real HTTP receiver that does what an OpenMail webhook handler does: verify the
// signature over the raw body and deduplicate on X-Event-Id. Real SQLite files, real sockets, real restarts.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MailEvent, StoredEvent } from '../../../shared/event.ts';
import { createEventHub, type EventHub } from '../../../daemon/hub.ts';
import { Forwarder, type ForwarderOptions } from '../../../daemon/forward/forwarder.ts';
import type { ForwardTarget } from '../../../daemon/forward/forward-target.ts';
import { verifySignature } from '../../../daemon/forward/signature.ts';
import { DEFAULT_FORWARD_DELIVERY } from '../../../shared/forward-delivery.ts';
import { openDatabase, type Database } from '../../../daemon/store/db.ts';
import { EventStore } from '../../../daemon/store/events.ts';
import { waitFor } from '../../support/wait-for.ts';
import { mailEvent, mailEvents, startHarness, type Harness } from '../local-api/harness.ts';

const SECRET = 'whsec_forward_test';

interface Delivery {
  /** performance.now() when the request arrived. */
  at: number;
  eventId: string;
  timestamp: string;
  signature: string;
  contentType: string;
  body: string;
  verified: boolean;
}

/** A status to answer with; 'hang' never answers; 'hold' answers when the test calls release(). */
type Behaviour = number | 'hang' | 'hold';

/** An OpenMail-style webhook handler: verifies, deduplicates on X-Event-Id, answers as scripted. */
class Receiver {
  readonly requests: Delivery[] = [];
  /** Each event once, in the order first accepted. */
  readonly handled: MailEvent[] = [];
  behave: (delivery: Delivery) => Behaviour = () => 200;
  /** TCP connections the forwarder opened. */
  connections = 0;
  /** Requests answered with 'hold', waiting for release(). */
  readonly held: { delivery: Delivery; res: http.ServerResponse }[] = [];
  readonly #server: http.Server;
  readonly #seen = new Set<string>();

  private constructor() {
    this.#server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const timestamp = String(req.headers['x-timestamp']);
        const signature = String(req.headers['x-signature']);
        const delivery: Delivery = {
          at: performance.now(),
          eventId: String(req.headers['x-event-id']),
          timestamp,
          signature,
          contentType: String(req.headers['content-type']),
          body,
          verified: verifySignature(SECRET, timestamp, body, signature, Math.floor(Date.now() / 1000)),
        };
        this.requests.push(delivery);
        const behaviour = this.behave(delivery);
        if (behaviour === 'hang') return;
        if (behaviour === 'hold') {
          this.held.push({ delivery, res });
          return;
        }
        if (!delivery.verified) {
          res.writeHead(401).end();
          return;
        }
        this.#answer(delivery, res, behaviour);
      });
    });
    this.#server.on('connection', () => (this.connections += 1));
  }

  #answer(delivery: Delivery, res: http.ServerResponse, status: number): void {
    if (status >= 200 && status < 300 && !this.#seen.has(delivery.eventId)) {
      this.#seen.add(delivery.eventId);
      this.handled.push(JSON.parse(delivery.body) as MailEvent);
    }
    res.writeHead(status).end();
  }

  /** Answers every held request. */
  release(status = 200): void {
    for (const { delivery, res } of this.held.splice(0)) this.#answer(delivery, res, status);
  }

  static async start(port = 0): Promise<Receiver> {
    const receiver = new Receiver();
    await new Promise<void>((resolve, reject) => {
      receiver.#server.once('error', reject);
      receiver.#server.listen(port, '127.0.0.1', resolve);
    });
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as { port: number }).port}/webhook`;
  }

  requestsFor(eventId: string): Delivery[] {
    return this.requests.filter((delivery) => delivery.eventId === eventId);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}

/** A port that refuses connections: bound once by the OS, then released. */
async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function payload(event: StoredEvent): MailEvent {
  const { seq: _seq, ...rest } = event;
  return rest;
}

const target = (url: string, overrides: Partial<ForwardTarget> = {}): ForwardTarget => ({
  id: 'agent',
  url,
  secret: SECRET,
  inboxIds: [],
  eventTypes: [],
  ...overrides,
});

describe('Forwarder', () => {
  let root: string;
  let file: string;
  let db: Database;
  let events: EventStore;
  let hub: EventHub;
  const forwarders: Forwarder[] = [];
  const receivers: Receiver[] = [];
  const errors: unknown[] = [];

  function forwarder(options: Partial<ForwarderOptions> & Pick<ForwarderOptions, 'targets'>): Forwarder {
    const created = new Forwarder({ db, events, hub, schedule: [0, 10, 10], timeoutMs: 2_000, onError: (e) => errors.push(e), ...options });
    forwarders.push(created);
    return created;
  }

  async function receiver(port?: number): Promise<Receiver> {
    const started = await Receiver.start(port);
    receivers.push(started);
    return started;
  }

  function commit(batch: readonly MailEvent[]): StoredEvent[] {
    return events.commit('work', batch).stored;
  }

  /** A store over `db` that publishes its commits to a fresh hub, as the engine's does. */
  function openStore(): void {
    const feed = createEventHub((error) => errors.push(error));
    hub = feed.hub;
    events = new EventStore(db, Date.now, feed.publish);
  }

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-forward-'));
    file = path.join(root, 'events.db');
    db = openDatabase(file);
    openStore();
    errors.length = 0;
  });

  afterEach(async () => {
    await Promise.all(forwarders.splice(0).map((f) => f.stop()));
    await Promise.all(receivers.splice(0).map((r) => r.close()));
    if (db.open) db.close();
    fs.rmSync(root, { recursive: true, force: true });
    expect(errors).toEqual([]);
  });

  it("delivers each event once, in order, with OpenMail's webhook headers that an OpenMail handler verifies", async () => {
    const sink = await receiver();
    const f = forwarder({ targets: [target(sink.url)] });
    f.start();
    const committed = [...commit(mailEvents(3)), ...commit(mailEvents(1)), ...commit(mailEvents(16))];

    await waitFor(() => sink.handled.length === 20, 5_000, '20 events');
    expect(sink.handled).toEqual(committed.map(payload));
    expect(sink.requests).toHaveLength(20);
    for (const [i, delivery] of sink.requests.entries()) {
      expect(delivery.verified).toBe(true);
      expect(delivery.contentType).toBe('application/json');
      expect(delivery.eventId).toBe(committed[i]!.event_id);
      expect(delivery.timestamp).toMatch(/^\d{10}$/);
      expect(delivery.signature).toMatch(/^[0-9a-f]{64}$/);
    }
    await waitFor(() => f.status()[0]?.delivered === 20, 5_000, 'delivered count');
    expect(f.status()[0]).toMatchObject({ id: 'agent', queued: 0, deadLetters: 0, lastResult: { ok: true, detail: 'HTTP 200' } });
    expect(f.minCursor()).toBe(committed.at(-1)!.seq);
  });

  it('sends only the events a target asks for, and its cursor still passes the others', async () => {
    const sink = await receiver();
    const f = forwarder({ targets: [target(sink.url, { inboxIds: ['inb_b', 'inb_c'], eventTypes: ['message.received'] })] });
    f.start();
    const committed = commit([
      mailEvent({ inbox_id: 'inb_a' }),
      mailEvent({ inbox_id: 'inb_b' }),
      mailEvent({ inbox_id: 'inb_b', event: 'inbox.suspended' }),
      mailEvent({ inbox_id: 'inb_c' }),
      mailEvent({ inbox_id: 'inb_a' }),
    ]);
    await waitFor(() => sink.handled.length === 2, 5_000, 'two wanted events');
    await waitFor(() => f.minCursor() === committed.at(-1)!.seq, 5_000, 'the cursor past the unwanted tail');
    expect(sink.handled).toEqual([payload(committed[1]!), payload(committed[3]!)]);
  });

  it('starts a new target at the present and counts what it still has to deliver', async () => {
    commit(mailEvents(5));
    const sink = await receiver();
    const f = forwarder({ targets: [target(sink.url, { inboxIds: ['inb_a'] })] });
    expect(f.minCursor()).toBe(events.latestSeq());
    commit([...mailEvents(4, { inbox_id: 'inb_a' }), ...mailEvents(2, { inbox_id: 'inb_z' })]);
    expect(f.status()[0]?.queued).toBe(4);
    f.start();
    await waitFor(() => sink.handled.length === 4, 5_000, 'the four new events');
    await waitFor(() => f.status()[0]?.queued === 0, 5_000, 'an empty backlog');
    expect(sink.requests).toHaveLength(4);
  });

  it('retries after a 500 and a timeout with the same X-Event-Id, then delivers', async () => {
    const sink = await receiver();
    const script: Behaviour[] = [500, 'hang', 204];
    sink.behave = () => script.shift() ?? 200;
    const f = forwarder({ targets: [target(sink.url)], schedule: [0, 10, 10, 10], timeoutMs: 150 });
    f.start();
    const [event] = commit(mailEvents(1));

    await waitFor(() => sink.handled.length === 1, 5_000, 'the delivery');
    const attempts = sink.requestsFor(event!.event_id);
    expect(attempts).toHaveLength(3);
    expect(attempts.every((attempt) => attempt.verified && attempt.body === attempts[0]!.body)).toBe(true);
    await waitFor(() => f.status()[0]?.delivered === 1, 5_000, 'the delivered count');
    expect(f.deadLetters()).toEqual([]);
  });

  it('retries a refused connection until the receiver is up, then delivers', async () => {
    const port = await freePort();
    const f = forwarder({ targets: [target(`http://127.0.0.1:${port}/webhook`)], schedule: [0, 200, 200, 200, 200] });
    f.start();
    const [event] = commit(mailEvents(1));
    await waitFor(() => f.status()[0]?.lastResult?.detail.includes('ECONNREFUSED'), 5_000, 'a refused attempt');
    const sink = await receiver(port);
    await waitFor(() => sink.handled.length === 1, 5_000, 'the delivery');
    expect(sink.handled[0]).toEqual(payload(event!));
    expect(f.deadLetters()).toEqual([]);
  });

  it('retries a transient 500 within a second by default, so the events behind it wait no longer than that', async () => {
    const sink = await receiver();
    const [first, ...rest] = mailEvents(4);
    let failedOnce = false;
    sink.behave = (delivery) => {
      if (delivery.eventId !== first!.event_id || failedOnce) return 200;
      failedOnce = true;
      return 500;
    };
    // The engine's defaults: the local schedule, strict order.
    const f = forwarder({ targets: [target(sink.url)], schedule: undefined });
    f.start();
    const committed = commit([first!, ...rest]);

    await waitFor(() => sink.handled.length === 4, 10_000, 'all four events');
    expect(sink.handled).toEqual(committed.map(payload));
    const [failed, retried] = sink.requestsFor(first!.event_id);
    // The local schedule's first step is 0.5 to 1 s (with jitter); the rest of the bound is slack for a busy machine.
    expect(retried!.at - failed!.at).toBeGreaterThanOrEqual(450);
    expect(retried!.at - failed!.at).toBeLessThan(2_000);
    expect(f.status()[0]).toMatchObject({ delivery: { retry: 'local', order: 'strict' } });
  });

  it('keeps its connection to a target open from one delivery to the next', async () => {
    const sink = await receiver();
    const f = forwarder({ targets: [target(sink.url)] });
    f.start();
    commit(mailEvents(5));
    await waitFor(() => sink.handled.length === 5, 5_000, 'five events');
    commit(mailEvents(5));
    await waitFor(() => sink.handled.length === 10, 5_000, 'five more');
    expect(sink.requests).toHaveLength(10);
    expect(sink.connections).toBe(1);
  });

  it('unordered: sends at most `concurrency` at once, and one that keeps failing does not hold up the rest', async () => {
    const sink = await receiver();
    const [poison, ...rest] = mailEvents(9);
    let open = 0;
    let mostOpen = 0;
    sink.behave = (delivery) => {
      if (delivery.eventId === poison!.event_id) return 500;
      open += 1;
      mostOpen = Math.max(mostOpen, open);
      return 'hold';
    };
    const unordered = { ...DEFAULT_FORWARD_DELIVERY, order: 'unordered' as const, concurrency: 3 };
    // The poison's retry waits a minute, longer than the test: it stays in flight while the others go.
    const f = forwarder({ targets: [target(sink.url, { delivery: unordered })], schedule: [0, 60_000] });
    f.start();
    const committed = commit([poison!, ...rest]);

    while (sink.handled.length < rest.length) {
      await waitFor(() => sink.held.length > 0 || sink.handled.length === rest.length, 5_000, 'held deliveries');
      open -= sink.held.length;
      sink.release(200);
    }
    expect(mostOpen).toBeLessThanOrEqual(2);
    expect(new Set(sink.handled.map((event) => event.event_id))).toEqual(new Set(rest.map((event) => event.event_id)));
    await waitFor(() => f.status()[0]?.delivered === rest.length, 5_000, 'the others counted');
    // The cursor stays below the event still being tried, so a restart sends it again.
    expect(f.minCursor()).toBe(committed[0]!.seq - 1);
    expect(f.status()[0]).toMatchObject({ inFlight: 1, queued: 1, deadLetters: 0 });

    await f.stop();
    sink.behave = () => 200;
    const again = forwarder({ targets: [target(sink.url, { delivery: unordered })] });
    again.start();
    await waitFor(() => again.minCursor() === committed.at(-1)!.seq, 5_000, 'the cursor past everything');
    expect(sink.handled.at(-1)).toEqual(payload(committed[0]!));
    // At least once: what followed the cursor went again, and the receiver deduplicated it on X-Event-Id.
    for (const event of rest) expect(sink.requestsFor(event.event_id)).toHaveLength(2);
  });

  it('unordered: dead-letters the event that keeps failing and moves the cursor past everything', async () => {
    const sink = await receiver();
    const batch = mailEvents(6);
    const poison = batch[2]!;
    sink.behave = (delivery) => (delivery.eventId === poison.event_id ? 500 : 200);
    const delivery = { ...DEFAULT_FORWARD_DELIVERY, order: 'unordered' as const, concurrency: 4 };
    const f = forwarder({ targets: [target(sink.url, { delivery })], schedule: [0, 5, 5] });
    f.start();
    const committed = commit(batch);

    await waitFor(() => f.deadLetters().length === 1, 5_000, 'the dead letter');
    expect(f.deadLetters()[0]).toMatchObject({ seq: committed[2]!.seq, attempts: 3, lastError: 'HTTP 500' });
    await waitFor(() => f.minCursor() === committed.at(-1)!.seq, 5_000, 'the cursor past everything');
    expect(sink.handled).toHaveLength(5);
    expect(f.status()[0]).toMatchObject({ delivered: 5, deadLetters: 1, queued: 0, inFlight: 0 });
  });

  it('continues after a restart from the cursor in SQLite, re-sending only the event that was in flight', async () => {
    const sink = await receiver();
    const before = forwarder({ targets: [target(sink.url)] });
    before.start();
    const batch = mailEvents(6);
    const hanging = batch[3]!;
    sink.behave = (delivery) => (delivery.eventId === hanging.event_id ? 'hang' : 200);
    const backlog = commit(batch);
    await waitFor(() => sink.requestsFor(hanging.event_id).length === 1, 5_000, 'the fourth event in flight');
    await before.stop();
    db.close();

    // A new process over the same file; events arrive while no forwarder runs.
    db = openDatabase(file);
    openStore();
    const whileDown = commit(mailEvents(4));
    sink.behave = () => 200;
    const after = forwarder({ targets: [target(sink.url)] });
    expect(after.minCursor()).toBe(backlog[2]!.seq);
    after.start();

    const all = [...backlog, ...whileDown];
    await waitFor(() => sink.handled.length === all.length, 5_000, 'every event');
    expect(sink.handled).toEqual(all.map(payload));
    // At least once: the in-flight event went out again and the receiver deduplicated it on X-Event-Id.
    expect(sink.requestsFor(hanging.event_id)).toHaveLength(2);
    for (const event of all.filter((e) => e !== backlog[3])) expect(sink.requestsFor(event.event_id)).toHaveLength(1);
  });

  it('starts again after a stop, on new connections, and sends what was in flight', async () => {
    const sink = await receiver();
    const f = forwarder({ targets: [target(sink.url)] });
    f.start();
    const [held, next] = commit(mailEvents(2));
    sink.behave = (delivery) => (delivery.eventId === held!.event_id ? 'hang' : 200);
    await waitFor(() => sink.requestsFor(held!.event_id).length === 1, 5_000, 'the first event in flight');
    await f.stop();
    sink.behave = () => 200;
    f.start();
    await waitFor(() => sink.handled.length === 2, 5_000, 'both events');
    expect(sink.handled.map((event) => event.event_id)).toEqual([held!.event_id, next!.event_id]);
    await waitFor(() => f.status()[0]?.delivered === 2, 5_000, 'both counted');
  });

  it('sends a stored event again, on request, to each target that wants it, with the same body and X-Event-Id', async () => {
    const sink = await receiver();
    const f = forwarder({
      targets: [target(sink.url, { id: 'a', inboxIds: ['inb_a'] }), target(sink.url, { id: 'b', inboxIds: ['inb_b'] })],
    });
    f.start();
    const [event] = commit([mailEvent({ inbox_id: 'inb_a' })]);
    await waitFor(() => sink.requests.length === 1, 5_000, 'the first delivery');

    expect(f.redeliver(event!.seq)).toBe(1);
    await waitFor(() => sink.requests.length === 2, 5_000, 'the re-delivery');
    const [original, again] = sink.requests;
    expect(again).toMatchObject({ eventId: original!.eventId, body: original!.body, verified: true });
    await waitFor(() => f.status().find((s) => s.id === 'a')?.delivered === 2, 5_000, 'both counted');
    expect(f.deadLetters()).toEqual([]);
    expect(f.redeliver(event!.seq + 1000)).toBe(0);
  });

  it('validates every target before changing anything', async () => {
    const sink = await receiver();
    const f = forwarder({ targets: [target(sink.url)] });
    expect(() => f.setTargets([target(sink.url, { id: 'a' }), target('https://example.com/hook', { id: 'b' })])).toThrow(
      /not a loopback address/,
    );
    expect(() => f.setTargets([target(sink.url), target(sink.url)])).toThrow(/used twice/);
    expect(f.status().map((s) => s.id)).toEqual(['agent']);
    f.setTargets([]);
    expect(f.minCursor()).toBeNull();
    expect(f.status()).toEqual([]);
  });
});

describe('Forwarder dead letters through the local API', () => {
  let harness: Harness;
  let sink: Receiver;
  let f: Forwarder;

  beforeEach(async () => {
    sink = await Receiver.start();
    // The engine's own forwarder, reached over the local API through the control calls, as in the app.
    harness = await startHarness({ socketDir: null, engine: { forwardTargets: [target(sink.url)], forwardSchedule: [0, 5, 5] } });
    f = harness.engine.daemon.forwarder!;
  });

  afterEach(async () => {
    await harness.close();
    await sink.close();
  });

  it('dead-letters after the last try, moves on, lists it, and re-delivers it on retry', async () => {
    let failing = true;
    const [doomed, next] = [mailEvent(), mailEvent()];
    sink.behave = (delivery) => (failing && delivery.eventId === doomed.event_id ? 500 : 200);
    const committed = harness.commit([doomed, next]);

    await waitFor(() => sink.handled.length === 1, 5_000, 'the next event');
    expect(sink.handled).toEqual([payload(committed[1]!)]);
    expect(sink.requestsFor(doomed.event_id)).toHaveLength(3);
    const [letter] = f.deadLetters();
    expect(letter).toMatchObject({
      targetId: 'agent',
      seq: committed[0]!.seq,
      eventId: doomed.event_id,
      attempts: 3,
      lastError: 'HTTP 500',
      status: 'dead',
    });
    // The sink has the request before the forwarder has its answer: wait for the count, never read it at once.
    await waitFor(() => f.status()[0]?.delivered === 1, 5_000, 'the next event counted as delivered');
    expect(f.status()[0]).toMatchObject({ deadLetters: 1, delivered: 1, queued: 0 });

    const listed = await harness.get('/v1/deliveries?target=agent&status=dead');
    expect(listed.status).toBe(200);
    expect(await listed.json()).toEqual({ deliveries: [letter] });
    expect((await harness.get('/v1/deliveries?status=lost')).status).toBe(400);
    expect((await harness.get('/v1/deliveries/987654/retry', { method: 'POST' })).status).toBe(404);

    // A retry that fails again goes back to the dead letters with its attempts added up.
    expect((await harness.get(`/v1/deliveries/${letter!.id}/retry`, { method: 'POST' })).status).toBe(202);
    await waitFor(() => f.deadLetters()[0]?.attempts === 6, 5_000, 'the failed retry');
    expect(f.deadLetters()[0]?.status).toBe('dead');

    failing = false;
    const retried = await harness.get(`/v1/deliveries/${letter!.id}/retry`, { method: 'POST' });
    expect(retried.status).toBe(202);
    expect(await retried.json()).toEqual({ id: letter!.id, status: 'retrying' });
    await waitFor(() => sink.handled.length === 2, 5_000, 'the re-delivery');
    expect(sink.handled[1]).toEqual(payload(committed[0]!));
    await waitFor(() => f.status()[0]?.delivered === 2, 5_000, 'the re-delivery counted');
    expect(f.deadLetters()).toEqual([]);
    expect(f.status()[0]).toMatchObject({ deadLetters: 0, delivered: 2 });
    expect(f.retry(letter!.id)).toBe(false);
  });
});
