// The same OpenMail protocol cases against both servers that speak it: the local WebSocket agents connect to
// (behind the real local API, fed through the store and the hub as the engine commits) and the demo provider
// (the upstream of every other test). Where the two may differ on purpose, the server's row says how.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MailEvent, StoredEvent } from '../../../shared/event.ts';
import { DemoProvider } from '../../../daemon/demo/server.ts';
import { createLocalWs } from '../../../daemon/local-api/local-ws.ts';
import { createLogger } from '../../../daemon/log.ts';
import { TestClient, type Frame } from '../demo/ws-client.ts';
import { mailEvent, startHarness } from '../local-api/harness.ts';

const [A, B, C] = ['inb_conf_a', 'inb_conf_b', 'inb_conf_c'];
const RECEIVED = 'message.received';
const SENT = 'message.sent';

interface ServerUnderTest {
  url: string;
  key: string;
  /** Puts one event through the server's own path to its clients and returns the payload they should see. */
  emit(overrides?: Partial<MailEvent>): MailEvent;
  stop(): Promise<void>;
}

interface ServerRow {
  name: string;
  /** Most events one replay sends: OpenMail's cap on the demo; the local store replays everything it holds. */
  replayCap: number | null;
  start(): Promise<ServerUnderTest>;
}

const SERVERS: ServerRow[] = [
  {
    name: 'local WebSocket',
    replayCap: null,
    async start() {
      const harness = await startHarness({ socketDir: null });
      const logged: string[] = [];
      const localWs = createLocalWs({
        events: harness.events,
        hub: harness.hub,
        log: createLogger('warn', (line) => logged.push(line)),
      });
      harness.ctx.upgrades = new Map([['/v1/ws', { access: 'read', handle: (req, socket, head, principal) => localWs.handleUpgrade(req, socket, head, principal) }]]);
      return {
        url: `${harness.api.url.replace('http:', 'ws:')}/v1/ws`,
        key: harness.token,
        emit: (overrides = {}) => {
          const { seq: _seq, ...payload } = harness.commit([mailEvent(overrides)])[0] as StoredEvent;
          return payload;
        },
        stop: async () => {
          await localWs.close();
          await harness.close();
          expect(logged).toEqual([]);
        },
      };
    },
  },
  {
    name: 'demo provider',
    replayCap: 100,
    async start() {
      const demo = await DemoProvider.start({ apiKey: 'om_conformance_key', seed: 8, inboxes: [A, B, C] });
      return { url: demo.url, key: 'om_conformance_key', emit: (overrides = {}) => demo.emit(overrides), stop: () => demo.stop() };
    },
  },
];

describe.each(SERVERS)('OpenMail protocol conformance: $name', (row) => {
  let server: ServerUnderTest;
  const clients: TestClient[] = [];

  beforeEach(async () => {
    server = await row.start();
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await server.stop();
  });

  async function connect(via: 'header' | 'query' = 'header'): Promise<TestClient> {
    const client = await TestClient.open(server.url, server.key, { via });
    clients.push(client);
    return client;
  }

  function emitAll(overrides: readonly Partial<MailEvent>[]): MailEvent[] {
    return overrides.map((override) => server.emit(override));
  }

  /** Everything the client got before the answer to a ping: frames on one connection keep their order, so this
   * is exactly what the server sent for what happened before it. */
  async function untilPong(client: TestClient): Promise<Frame[]> {
    client.send({ type: 'ping' });
    const frames: Frame[] = [];
    for (let frame = await client.next(); frame.type !== 'pong'; frame = await client.next()) frames.push(frame);
    return frames;
  }

  const ids = (frames: readonly (Frame | MailEvent)[]): unknown[] => frames.map((frame) => frame.event_id);

  describe('handshake', () => {
    it('takes the key as a Bearer header or as ?token=', async () => {
      for (const via of ['header', 'query'] as const) {
        const client = await connect(via);
        expect(await client.subscribe()).toEqual({ type: 'subscribed', inbox_ids: [], event_types: [] });
      }
    });

    it('refuses a wrong key with HTTP 401', async () => {
      expect(await TestClient.refusal(server.url, 'not-the-key')).toBe(401);
    });
  });

  describe('subscriptions', () => {
    it('sends no event before a subscribe', async () => {
      const client = await connect();
      emitAll([{ inbox_id: A }, { inbox_id: B }]);
      expect(await untilPong(client)).toEqual([]);
    });

    it('without filters delivers every inbox and type, as the bare payload with no type key', async () => {
      const client = await connect();
      expect(await client.subscribe()).toEqual({ type: 'subscribed', inbox_ids: [], event_types: [] });
      const sent = emitAll([{ inbox_id: A }, { inbox_id: B, event: SENT }, { inbox_id: null, event: 'pod.suspended' }]);
      const frames = await untilPong(client);
      expect(ids(frames)).toEqual(ids(sent));
      const withoutDeliveryTime = ({ delivered_at: _, ...rest }: Frame | MailEvent) => rest;
      expect(frames.map(withoutDeliveryTime)).toEqual(sent.map(withoutDeliveryTime));
    });

    it('with filters delivers only what matches both the inboxes and the event types', async () => {
      const client = await connect();
      expect(await client.subscribe({ inbox_ids: [A], event_types: [RECEIVED] })).toEqual({
        type: 'subscribed',
        inbox_ids: [A],
        event_types: [RECEIVED],
      });
      const [wanted] = emitAll([{ inbox_id: A }, { inbox_id: A, event: SENT }, { inbox_id: B }, { inbox_id: null }]);
      expect(ids(await untilPong(client))).toEqual(ids([wanted!]));
    });

    it('accumulates subscribes into one set of inboxes and one of types, as the subscribed echo says', async () => {
      const client = await connect();
      await client.subscribe({ inbox_ids: [A], event_types: [RECEIVED] });
      expect(await client.subscribe({ inbox_ids: [B], event_types: [SENT] })).toEqual({
        type: 'subscribed',
        inbox_ids: [A, B],
        event_types: [RECEIVED, SENT],
      });
      // A/sent and B/received were in neither subscribe alone; the echoed sets cover them.
      const sent = emitAll([
        { inbox_id: A },
        { inbox_id: A, event: SENT },
        { inbox_id: B },
        { inbox_id: B, event: SENT },
        { inbox_id: C },
        { inbox_id: A, event: 'inbox.suspended' },
      ]);
      expect(ids(await untilPong(client))).toEqual(ids(sent.slice(0, 4)));
    });

    it('widens to everything when a later subscribe has no filters', async () => {
      const client = await connect();
      await client.subscribe({ inbox_ids: [A], event_types: [RECEIVED] });
      expect(await client.subscribe()).toEqual({ type: 'subscribed', inbox_ids: [], event_types: [] });
      const sent = emitAll([{ inbox_id: B, event: SENT }, { inbox_id: C }]);
      expect(ids(await untilPong(client))).toEqual(ids(sent));
    });

    it('unsubscribes from some inboxes', async () => {
      const client = await connect();
      await client.subscribe({ inbox_ids: [A, B] });
      client.send({ type: 'unsubscribe', inbox_ids: [A] });
      expect(await client.next()).toEqual({ type: 'unsubscribed', inbox_ids: [A] });
      const [, b] = emitAll([{ inbox_id: A }, { inbox_id: B }]);
      expect(ids(await untilPong(client))).toEqual(ids([b!]));
    });

    it('unsubscribes from one inbox while subscribed to all, until that inbox is subscribed again', async () => {
      const client = await connect();
      await client.subscribe();
      client.send({ type: 'unsubscribe', inbox_ids: [A] });
      expect(await client.next()).toEqual({ type: 'unsubscribed', inbox_ids: [A] });
      const [, b] = emitAll([{ inbox_id: A }, { inbox_id: B }]);
      expect(ids(await untilPong(client))).toEqual(ids([b!]));

      expect(await client.subscribe({ inbox_ids: [A] })).toEqual({ type: 'subscribed', inbox_ids: [], event_types: [] });
      const again = emitAll([{ inbox_id: A }]);
      expect(ids(await untilPong(client))).toEqual(ids(again));
    });

    it('unsubscribe without inbox ids ends everything until the next subscribe', async () => {
      const client = await connect();
      await client.subscribe({ inbox_ids: [A], event_types: [RECEIVED] });
      client.send({ type: 'unsubscribe' });
      expect(await client.next()).toEqual({ type: 'unsubscribed', inbox_ids: [] });
      emitAll([{ inbox_id: A }]);
      expect(await untilPong(client)).toEqual([]);

      // Nothing of the old filters survives.
      expect(await client.subscribe({ inbox_ids: [B] })).toEqual({ type: 'subscribed', inbox_ids: [B], event_types: [] });
      const [, b] = emitAll([{ inbox_id: A }, { inbox_id: B, event: SENT }]);
      expect(ids(await untilPong(client))).toEqual(ids([b!]));
    });
  });

  describe('keepalive and bad input', () => {
    it('answers an application ping with pong', async () => {
      const client = await connect();
      client.send({ type: 'ping' });
      expect(await client.next()).toEqual({ type: 'pong' });
    });

    it('accepts ack, reserved by OpenMail, without an answer', async () => {
      const client = await connect();
      client.send({ type: 'ack', event_id: 'evt_whatever' });
      expect(await untilPong(client)).toEqual([]);
    });

    it.each([
      ['invalid JSON', '{not json', 'Invalid JSON'],
      ['a frame without a type', { no: 'type' }, 'Missing message type'],
      ['an unknown type', { type: 'teleport' }, 'Unknown message type: teleport'],
      ['malformed filters', { type: 'subscribe', inbox_ids: A }, expect.stringMatching(/^Invalid subscribe: inbox_ids /)],
      ['a malformed cursor', { type: 'subscribe', last_event_id: 7 }, expect.stringMatching(/^Invalid subscribe: last_event_id /)],
    ])('answers %s with an error and stays open', async (_what, frame, message) => {
      const client = await connect();
      client.send(frame);
      expect(await client.next()).toEqual({ type: 'error', message });
      expect(await untilPong(client)).toEqual([]);
    });

    it('answers a binary frame with an error and stays open', async () => {
      const client = await connect();
      client.ws.send(Buffer.from([1, 2, 3]), { binary: true });
      expect(await client.next()).toEqual({ type: 'error', message: 'Binary frames are not supported' });
      expect(await untilPong(client)).toEqual([]);
    });

    it('closes a client past 30 messages in 10 s with an error, then 4029', async () => {
      const client = await connect();
      for (let i = 0; i < 31; i++) client.send({ type: 'ping' });
      expect(await client.take(31)).toEqual([...Array(30).fill({ type: 'pong' }), { type: 'error', message: 'Rate limit exceeded' }]);
      expect(await client.closed).toEqual({ code: 4029, reason: 'Rate limit exceeded' });
    });
  });

  describe('replay', () => {
    it('replays what the subscription matches after last_event_id, oldest first, right after subscribed', async () => {
      const log = emitAll([{ inbox_id: A }, { inbox_id: B }, { inbox_id: A }, { inbox_id: A, event: SENT }, { inbox_id: A }]);
      const client = await connect();
      expect(await client.subscribe({ inbox_ids: [A], event_types: [RECEIVED], last_event_id: log[0]!.event_id })).toEqual({
        type: 'subscribed',
        inbox_ids: [A],
        event_types: [RECEIVED],
      });
      expect(ids(await client.take(2))).toEqual(ids([log[2]!, log[4]!]));
      expect(await untilPong(client)).toEqual([]);
      const live = emitAll([{ inbox_id: A }]);
      expect(ids(await untilPong(client))).toEqual(ids(live));
    });

    it(`replays ${row.replayCap === null ? 'every one' : `at most ${row.replayCap}`} of 149 missed events`, async () => {
      const log = emitAll(Array.from({ length: 150 }, () => ({ inbox_id: B })));
      const client = await connect();
      await client.subscribe({ last_event_id: log[0]!.event_id });
      const expected = log.slice(1, 1 + (row.replayCap ?? log.length));
      expect(ids(await client.take(expected.length))).toEqual(ids(expected));
      expect(await untilPong(client)).toEqual([]);
    });

    it('answers an unknown last_event_id with an error and leaves the subscription as it was', async () => {
      emitAll([{ inbox_id: A }]);
      const client = await connect();
      client.send({ type: 'subscribe', last_event_id: 'evt_never_seen' });
      expect(await client.next()).toEqual({ type: 'error', message: 'Unknown last_event_id' });
      emitAll([{ inbox_id: A }]);
      expect(await untilPong(client)).toEqual([]);

      await client.subscribe({ inbox_ids: [B] });
      client.send({ type: 'subscribe', inbox_ids: [A], last_event_id: 'evt_never_seen' });
      expect(await client.next()).toEqual({ type: 'error', message: 'Unknown last_event_id' });
      const [, b] = emitAll([{ inbox_id: A }, { inbox_id: B }]);
      expect(ids(await untilPong(client))).toEqual(ids([b!]));
    });
  });
});
