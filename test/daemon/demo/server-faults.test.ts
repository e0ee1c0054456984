import { afterEach, describe, expect, it } from 'vitest';
import { DemoProvider, type DemoProviderOptions } from '../../../daemon/demo/server.ts';
import type { MailEvent } from '../../../shared/event.ts';
import { TestClient, type Frame } from './ws-client.ts';

const KEY = 'om_test_key';

const providers: DemoProvider[] = [];
const clients: TestClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(providers.splice(0).map((provider) => provider.stop()));
});

async function provider(options: DemoProviderOptions = {}): Promise<DemoProvider> {
  const started = await DemoProvider.start({ apiKey: KEY, seed: 11, ...options });
  providers.push(started);
  return started;
}

async function subscribed(target: DemoProvider, key = KEY): Promise<TestClient> {
  const client = await TestClient.open(target.url, key);
  clients.push(client);
  await client.subscribe();
  return client;
}

function ids(frames: readonly (Frame | MailEvent)[]): unknown[] {
  return frames.map((frame) => frame.event_id);
}

describe('connection faults', () => {
  it('drop() destroys every socket without a close frame', async () => {
    const demo = await provider();
    const [a, b] = [await subscribed(demo), await subscribed(demo)];
    demo.drop();
    expect((await a.closed).code).toBe(1006);
    expect((await b.closed).code).toBe(1006);
    expect(demo.connectionCount()).toBe(0);
  });

  it('halfOpen() leaves the socket open but silent: no pong, no events', async () => {
    const demo = await provider();
    const client = await subscribed(demo);
    demo.halfOpen();
    let pongs = 0;
    client.ws.on('pong', () => pongs++);
    client.send({ type: 'ping' });
    client.ws.ping();
    demo.emit();
    expect(await client.quiet(300)).toEqual([]);
    expect(pongs).toBe(0);
    expect(client.ws.readyState).toBe(client.ws.OPEN);
    expect(demo.connectionCount()).toBe(1);
  });

  it('reaps a half-open connection once it misses the ping deadline, as a real server would', async () => {
    const demo = await provider({ pingIntervalMs: 50, pongTimeoutMs: 50 });
    const client = await subscribed(demo);
    demo.halfOpen();
    expect((await client.closed).code).toBe(1006);
    expect(demo.connectionCount()).toBe(0);
  });

  it.each([
    [1001, 'going away'],
    [4001, 'Unauthorized'],
    [4008, 'Connection limit exceeded'],
    [4029, 'Rate limit exceeded'],
  ])('close(%i) closes every connection with that code', async (code, reason) => {
    const demo = await provider();
    const client = await subscribed(demo);
    demo.close(code, reason);
    expect(await client.closed).toEqual({ code, reason });
  });
});

describe('restart', () => {
  it('listens again on the same port after the downtime, keeping the log for replay', async () => {
    const demo = await provider();
    const before = await subscribed(demo);
    const [cursor] = demo.emitMany(1);
    await before.next();
    const port = demo.port;

    const restarting = demo.restart(300);
    expect((await before.closed).code).toBe(1006);
    await expect(TestClient.open(demo.url, KEY)).rejects.toThrow(/ECONNREFUSED/);
    const missed = demo.emitMany(2);
    await restarting;

    expect(demo.port).toBe(port);
    const after = await TestClient.open(demo.url, KEY);
    clients.push(after);
    await after.subscribe({ last_event_id: cursor!.event_id });
    expect(ids(await after.take(2))).toEqual(ids(missed));
  });
});

describe('delivery faults', () => {
  it('setDuplicates(true) delivers each live event twice', async () => {
    const demo = await provider();
    const client = await subscribed(demo);
    demo.setDuplicates(true);
    const [a, b] = demo.emitMany(2);
    expect(ids(await client.take(4))).toEqual([a!.event_id, a!.event_id, b!.event_id, b!.event_id]);
    demo.setDuplicates(false);
    const c = demo.emit();
    expect(ids(await client.take(1))).toEqual([c.event_id]);
    expect(await client.quiet(100)).toEqual([]);
  });

  it('setOutOfOrder(true) delivers live events reversed in small batches, and never withholds one', async () => {
    const demo = await provider();
    const client = await subscribed(demo);
    demo.setOutOfOrder(true);
    const log = demo.emitMany(6);
    expect(ids(await client.take(6))).toEqual(ids([log[2]!, log[1]!, log[0]!, log[5]!, log[4]!, log[3]!]));
    const lone = demo.emit();
    expect(ids([await client.next()])).toEqual([lone.event_id]);
    expect(ids(demo.emitted)).toEqual(ids([...log, lone]));
  });

  it('setOutOfOrder(false) flushes what is held', async () => {
    const demo = await provider();
    const client = await subscribed(demo);
    demo.setOutOfOrder(true);
    const log = demo.emitMany(2);
    demo.setOutOfOrder(false);
    expect(ids(await client.take(2))).toEqual(ids([log[1]!, log[0]!]));
  });
});

describe('key revocation', () => {
  it('revokeKey() closes open connections with 4001 and refuses new handshakes with 401 until a new key', async () => {
    const demo = await provider();
    const client = await subscribed(demo);
    demo.revokeKey();
    expect(await client.next()).toEqual({ type: 'error', message: 'API key revoked' });
    expect((await client.closed).code).toBe(4001);
    expect(await TestClient.refusal(demo.url, KEY)).toBe(401);

    demo.setApiKey('om_rotated');
    expect(await TestClient.refusal(demo.url, KEY)).toBe(401);
    const rotated = await subscribed(demo, 'om_rotated');
    expect(rotated.ws.readyState).toBe(rotated.ws.OPEN);
  });
});

describe('stop', () => {
  it('closes connections and frees the port', async () => {
    const demo = await provider();
    const client = await subscribed(demo);
    await demo.stop();
    expect((await client.closed).code).toBe(1006);
    await expect(TestClient.open(demo.url, KEY)).rejects.toThrow(/ECONNREFUSED/);
  });
});
