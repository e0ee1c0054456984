// The demo's WebSocket in AgentMail and myagentmail flavour, over real sockets: the handshake reads the key where
// that provider does, myagentmail greets first, frames are the provider's own (read back by its adapter), and
// neither replays. Plus the late push of mail held back while push was off.
import { afterEach, describe, expect, it } from 'vitest';
import { DemoProvider, type DemoProviderOptions } from '../../../daemon/demo/server.ts';
import { getAdapter } from '../../../daemon/providers/index.ts';
import type { ProviderName } from '../../../shared/status.ts';
import { TestClient } from './ws-client.ts';

const KEY = 'flavour_key_0123';
const providers: DemoProvider[] = [];
const clients: TestClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(providers.splice(0).map((provider) => provider.stop()));
});

async function demo(flavour: ProviderName, options: DemoProviderOptions = {}): Promise<DemoProvider> {
  const started = await DemoProvider.start({ apiKey: KEY, seed: 29, flavour, ...options });
  providers.push(started);
  return started;
}

/** A client that authenticates as the flavour's adapter does. */
async function connect(provider: DemoProvider): Promise<TestClient> {
  const adapter = getAdapter(provider.flavour);
  const { headers } = adapter.connectRequest(provider.url, KEY);
  const client = await TestClient.open(provider.url, undefined, { headers });
  clients.push(client);
  return client;
}

const classify = (flavour: ProviderName, frame: Record<string, unknown>) => getAdapter(flavour).classify(JSON.stringify(frame));

describe('a myagentmail-flavoured demo', () => {
  it('takes the key in X-API-Key, greets, and pushes events its adapter reads', async () => {
    const provider = await demo('myagentmail');
    const client = await connect(provider);
    expect(classify('myagentmail', await client.next())).toEqual({ kind: 'connected' });
    const ack = await client.subscribe({ event_types: ['message.received'] });
    expect(ack).toMatchObject({ type: 'subscribed', event_types: ['message.received'], workspace_ids: [] });
    const sent = provider.emit();
    const frame = await client.next();
    expect(frame).toMatchObject({ type: 'event', event_type: 'message.received', event_id: sent.event_id });
    expect(classify('myagentmail', frame)).toMatchObject({ kind: 'event', event: { event_id: sent.event_id, inbox_id: sent.inbox_id } });
  });

  it("pushes in the blog's form, or both forms in turn, when asked", async () => {
    const provider = await demo('myagentmail', { myAgentMailPushForm: 'both' });
    const client = await connect(provider);
    await client.next();
    await client.subscribe();
    provider.emitMany(2);
    const [first, second] = await client.take(2);
    expect(first).toMatchObject({ type: 'event' });
    expect(second).toMatchObject({ type: 'message.received', data: { inbox_id: expect.any(String) } });
    expect(classify('myagentmail', second!).kind).toBe('event');
  });

  it('refuses a wrong key with 401, and accepts ?api_key=', async () => {
    const provider = await demo('myagentmail');
    expect(await TestClient.refusal(provider.url, 'wrong')).toBe(401);
    const client = await TestClient.open(`${provider.url}?api_key=${KEY}`);
    clients.push(client);
    expect(await client.next()).toMatchObject({ type: 'connected' });
  });
});

describe('an AgentMail-flavoured demo', () => {
  it("pushes AgentMail's event frames with the message and its thread", async () => {
    const provider = await demo('agentmail');
    const client = await connect(provider);
    expect(await client.subscribe()).toEqual({ type: 'subscribed', inbox_ids: [], event_types: [] });
    const sent = provider.emit();
    const frame = await client.next();
    expect(frame).toMatchObject({
      type: 'event',
      event_type: 'message.received',
      event_id: sent.event_id,
      message: { message_id: sent.message!.id, text: sent.message!.body_text },
      thread: { thread_id: sent.thread_id },
    });
    expect(classify('agentmail', frame)).toMatchObject({ kind: 'event', event: { message: { id: sent.message!.id } } });
  });

  it("answers an unknown inbox with AgentMail's error frame", async () => {
    const provider = await demo('agentmail');
    const client = await connect(provider);
    const answer = await client.subscribe({ inbox_ids: ['inb_not_ours'] });
    expect(answer).toMatchObject({ type: 'error', name: 'ValidationError', message: expect.stringContaining('inb_not_ours') });
  });
});

describe.each(['agentmail', 'myagentmail'] as const)('%s-flavoured demo', (flavour) => {
  it('replays nothing, whatever cursor a client sends', async () => {
    const provider = await demo(flavour);
    const before = provider.emit();
    const client = await connect(provider);
    if (flavour === 'myagentmail') await client.next();
    const ack = await client.subscribe({ last_event_id: before.event_id });
    expect(ack).toMatchObject({ type: 'subscribed' });
    expect(await client.quiet(150)).toEqual([]);
    expect(provider.subscribes.at(-1)!.lastEventId).toBeNull();
  });
});

describe('pushLate', () => {
  it('pushes mail held back while push was off, oldest first, and logs it for replay', async () => {
    const provider = await demo('openmail');
    const client = await TestClient.open(provider.url, KEY);
    clients.push(client);
    await client.subscribe();
    provider.setPushOff(true);
    const held = provider.emitMany(3);
    provider.setPushOff(false);
    expect(await client.quiet(100)).toEqual([]);
    expect(provider.pushLate(2).map((event) => event.event_id)).toEqual(held.slice(0, 2).map((event) => event.event_id));
    expect((await client.take(2)).map((frame) => frame.event_id)).toEqual(held.slice(0, 2).map((event) => event.event_id));
    expect(provider.emitted.map((event) => event.event_id)).toEqual(held.slice(0, 2).map((event) => event.event_id));
    expect(provider.pushLate().map((event) => event.event_id)).toEqual([held[2]!.event_id]);
    expect(provider.pushLate()).toEqual([]);
  });

  it('gives mail emitted in one burst a millisecond each', async () => {
    const provider = await demo('openmail');
    const times = provider.emitMany(50).map((event) => Date.parse(event.message!.received_at!));
    expect(new Set(times).size).toBe(50);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
});
