import { afterEach, describe, expect, it } from 'vitest';
import { DemoProvider, type DemoProviderOptions } from '../../../daemon/demo/server.ts';
import type { MailEvent } from '../../../shared/event.ts';
import { TestClient, type Frame } from './ws-client.ts';

const KEY = 'om_test_key';
const [INBOX_A, INBOX_B] = ['inb_aaaa0001', 'inb_bbbb0002'];

const providers: DemoProvider[] = [];
const clients: TestClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(providers.splice(0).map((provider) => provider.stop()));
});

async function provider(options: DemoProviderOptions = {}): Promise<DemoProvider> {
  const started = await DemoProvider.start({ apiKey: KEY, seed: 7, inboxes: [INBOX_A, INBOX_B], ...options });
  providers.push(started);
  return started;
}

async function connect(target: DemoProvider, key = KEY, via: 'header' | 'query' = 'header'): Promise<TestClient> {
  const client = await TestClient.open(target.url, key, { via });
  clients.push(client);
  return client;
}

function ids(frames: readonly (Frame | MailEvent)[]): unknown[] {
  return frames.map((frame) => frame.event_id);
}

describe('authentication', () => {
  it('accepts the key as a Bearer header or as ?token=', async () => {
    const demo = await provider();
    const byHeader = await connect(demo, KEY, 'header');
    const byQuery = await connect(demo, KEY, 'query');
    expect(await byHeader.subscribe()).toEqual({ type: 'subscribed', inbox_ids: [], event_types: [] });
    expect(await byQuery.subscribe()).toEqual({ type: 'subscribed', inbox_ids: [], event_types: [] });
    expect(demo.connectionCount()).toBe(2);
  });

  it('refuses a wrong or missing key with HTTP 401 at the handshake', async () => {
    const demo = await provider();
    expect(await TestClient.refusal(demo.url, 'om_wrong')).toBe(401);
    expect(await TestClient.refusal(demo.url)).toBe(401);
    expect(demo.connectionCount()).toBe(0);
  });

  it('accepts any key when none is configured', async () => {
    const demo = await provider({ apiKey: null });
    const client = await connect(demo, 'whatever');
    expect((await client.subscribe()).type).toBe('subscribed');
  });

  it('answers 404 for another path', async () => {
    const demo = await provider();
    expect(await TestClient.refusal(demo.url.replace('/v1/ws', '/v2/ws'), KEY)).toBe(404);
  });
});

describe('subscriptions', () => {
  it('pushes events only after subscribe, as the bare payload with delivered_at set at send time', async () => {
    const demo = await provider();
    const client = await connect(demo);
    demo.emit();
    expect(await client.quiet(100)).toEqual([]);

    await client.subscribe();
    const sent = demo.emit();
    const received = await client.next();
    expect(received).not.toHaveProperty('type');
    const { delivered_at: deliveredAt, ...rest } = received;
    const { delivered_at: _, ...expected } = sent;
    expect(rest).toEqual(expected);
    expect(Date.parse(String(deliveredAt))).toBeGreaterThanOrEqual(Date.parse(sent.occurred_at));
  });

  it('filters by inbox and event type, accumulating across subscribe frames', async () => {
    const demo = await provider();
    const client = await connect(demo);
    expect(await client.subscribe({ inbox_ids: [INBOX_A] })).toEqual({ type: 'subscribed', inbox_ids: [INBOX_A], event_types: [] });
    demo.emit({ inbox_id: INBOX_B });
    const a = demo.emit({ inbox_id: INBOX_A });
    expect(ids([await client.next()])).toEqual([a.event_id]);

    expect(await client.subscribe({ inbox_ids: [INBOX_B] })).toEqual({ type: 'subscribed', inbox_ids: [INBOX_A, INBOX_B], event_types: [] });
    const b = demo.emit({ inbox_id: INBOX_B });
    expect(ids([await client.next()])).toEqual([b.event_id]);

    const typed = await connect(demo);
    expect(await typed.subscribe({ event_types: ['message.sent'] })).toEqual({ type: 'subscribed', inbox_ids: [], event_types: ['message.sent'] });
    demo.emit();
    const sent = demo.emit({ event: 'message.sent' });
    expect(ids([await typed.next()])).toEqual([sent.event_id]);
  });

  it('refuses an inbox the key does not own', async () => {
    const demo = await provider();
    const client = await connect(demo);
    client.send({ type: 'subscribe', inbox_ids: ['inb_someone_else'] });
    expect(await client.next()).toEqual({ type: 'error', message: 'Unauthorized inbox: inb_someone_else' });
    demo.emit();
    expect(await client.quiet(100)).toEqual([]);
  });

  it('unsubscribes from one inbox or from everything', async () => {
    const demo = await provider();
    const client = await connect(demo);
    await client.subscribe();
    client.send({ type: 'unsubscribe', inbox_ids: [INBOX_A] });
    expect(await client.next()).toEqual({ type: 'unsubscribed', inbox_ids: [INBOX_A] });
    demo.emit({ inbox_id: INBOX_A });
    const b = demo.emit({ inbox_id: INBOX_B });
    expect(ids([await client.next()])).toEqual([b.event_id]);

    client.send({ type: 'unsubscribe' });
    expect(await client.next()).toEqual({ type: 'unsubscribed', inbox_ids: [] });
    demo.emit({ inbox_id: INBOX_B });
    expect(await client.quiet(100)).toEqual([]);
  });

  it('records every subscribe frame with its cursor', async () => {
    const demo = await provider();
    const [first] = demo.emitMany(2);
    const client = await connect(demo);
    await client.subscribe({ inbox_ids: [INBOX_A] });
    client.send({ type: 'subscribe', last_event_id: first!.event_id, event_types: ['message.received'] });
    await client.next();
    expect(demo.subscribes.map(({ at: _, ...record }) => record)).toEqual([
      { lastEventId: null, inboxIds: [INBOX_A], eventTypes: [] },
      { lastEventId: first!.event_id, inboxIds: [], eventTypes: ['message.received'] },
    ]);
  });
});

describe('replay', () => {
  it('replays the events after last_event_id in log order, filtered by the subscription, right after subscribed', async () => {
    const demo = await provider();
    const log = [demo.emit({ inbox_id: INBOX_A }), demo.emit({ inbox_id: INBOX_B }), demo.emit({ inbox_id: INBOX_A }), demo.emit({ inbox_id: INBOX_A })];
    const client = await connect(demo);
    expect(await client.subscribe({ inbox_ids: [INBOX_A], last_event_id: log[0]!.event_id })).toEqual({
      type: 'subscribed',
      inbox_ids: [INBOX_A],
      event_types: [],
    });
    expect(ids(await client.take(2))).toEqual([log[2]!.event_id, log[3]!.event_id]);
    expect(await client.quiet(100)).toEqual([]);
  });

  it('replays at most 100 events, the oldest missed first, when more were missed', async () => {
    const demo = await provider();
    const log = demo.emitMany(150);
    const client = await connect(demo);
    await client.subscribe({ last_event_id: log[0]!.event_id });
    expect(ids(await client.take(100))).toEqual(ids(log.slice(1, 101)));
    const live = demo.emit();
    expect(ids([await client.next()])).toEqual([live.event_id]);
  });

  it('answers an unknown last_event_id with an error, leaves the subscription unchanged and stays open', async () => {
    const demo = await provider();
    demo.emitMany(3);
    const client = await connect(demo);
    client.send({ type: 'subscribe', last_event_id: 'evt_not_in_log' });
    expect(await client.next()).toEqual({ type: 'error', message: 'Unknown last_event_id' });
    demo.emit();
    expect(await client.quiet(100)).toEqual([]);
    expect((await client.subscribe()).type).toBe('subscribed');
  });
});

describe('keepalive and bad input', () => {
  it('answers an application ping with pong and a protocol ping with a protocol pong', async () => {
    const demo = await provider();
    const client = await connect(demo);
    client.send({ type: 'ping' });
    expect(await client.next()).toEqual({ type: 'pong' });
    const pong = new Promise((resolve) => client.ws.once('pong', resolve));
    client.ws.ping();
    await pong;
  });

  it('sends protocol pings and terminates a connection that does not answer them', async () => {
    const demo = await provider({ pingIntervalMs: 50, pongTimeoutMs: 100 });
    const answering = await connect(demo);
    const pinged = new Promise((resolve) => answering.ws.once('ping', resolve));
    const mute = await TestClient.open(demo.url, KEY, { autoPong: false });
    clients.push(mute);
    await pinged;
    expect((await mute.closed).code).toBe(1006);
    expect(answering.ws.readyState).toBe(answering.ws.OPEN);
    expect(demo.connectionCount()).toBe(1);
  });

  it('answers invalid JSON, unknown types and binary frames with an error and keeps the connection', async () => {
    const demo = await provider();
    const client = await connect(demo);
    client.send('{not json');
    client.send({ type: 'teleport' });
    client.send({ no: 'type' });
    client.send({ type: 'subscribe', inbox_ids: 'inb_aaaa0001' });
    client.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    client.send({ type: 'ping' });
    expect(await client.take(6)).toEqual([
      { type: 'error', message: 'Invalid JSON' },
      { type: 'error', message: 'Unknown message type: teleport' },
      { type: 'error', message: 'Missing message type' },
      { type: 'error', message: expect.stringContaining('Invalid subscribe') },
      { type: 'error', message: 'Binary frames are not supported' },
      { type: 'pong' },
    ]);
  });

  it('closes a connection that sends a frame over maxPayload with 1009, and keeps serving others', async () => {
    const demo = await provider({ maxPayload: 1024 });
    const client = await connect(demo);
    client.send({ type: 'ping', padding: 'x'.repeat(2048) });
    expect((await client.closed).code).toBe(1009);
    const next = await connect(demo);
    next.send({ type: 'ping' });
    expect(await next.next()).toEqual({ type: 'pong' });
  });
});

describe('limits', () => {
  it('closes a connection over the client message rate with 4029', async () => {
    const demo = await provider({ rateLimit: { messages: 5, perMs: 10_000 } });
    const client = await connect(demo);
    for (let i = 0; i < 6; i++) client.send({ type: 'ping' });
    const frames = await client.take(6);
    expect(frames.slice(0, 5)).toEqual(Array(5).fill({ type: 'pong' }));
    expect(frames[5]).toEqual({ type: 'error', message: 'Rate limit exceeded' });
    expect(await client.closed).toEqual({ code: 4029, reason: 'Rate limit exceeded' });
  });

  it('refuses a connection over the per-key limit with an error frame then 4008', async () => {
    const demo = await provider({ apiKey: null, maxConnections: 2 });
    await connect(demo, 'key-1');
    await connect(demo, 'key-1');
    const third = await connect(demo, 'key-1');
    expect(await third.next()).toEqual({ type: 'error', message: 'Connection limit exceeded' });
    expect(await third.closed).toEqual({ code: 4008, reason: 'Connection limit exceeded' });
    const otherKey = await connect(demo, 'key-2');
    expect((await otherKey.subscribe()).type).toBe('subscribed');
    expect(demo.connectionCount()).toBe(3);
  });
});

describe('auto-emit', () => {
  it('emits sample mail on an interval until paused', async () => {
    const demo = await provider({ intervalMs: 20 });
    const client = await connect(demo);
    await client.subscribe();
    const [first, second] = await client.take(2);
    expect(first!.event_id).not.toBe(second!.event_id);
    demo.pause();
    const count = demo.emitted.length;
    await client.quiet(100);
    expect(demo.emitted.length).toBe(count);
  });
});
