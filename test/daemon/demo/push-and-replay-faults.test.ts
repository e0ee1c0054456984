// Faults between the socket and the REST listing: mail that is never pushed, and a replay log the provider
// forgets. The mailbox (what REST lists) always keeps the mail.
import { afterEach, describe, expect, it } from 'vitest';
import { DemoProvider, type DemoProviderOptions } from '../../../daemon/demo/server.ts';
import { TestClient } from './ws-client.ts';

const KEY = 'om_test_key';
const providers: DemoProvider[] = [];
const clients: TestClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(providers.splice(0).map((provider) => provider.stop()));
});

async function provider(options: DemoProviderOptions = {}): Promise<DemoProvider> {
  const started = await DemoProvider.start({ apiKey: KEY, seed: 13, ...options });
  providers.push(started);
  return started;
}

async function subscribed(target: DemoProvider, frame: Record<string, unknown> = {}): Promise<TestClient> {
  const client = await TestClient.open(target.url, KEY);
  clients.push(client);
  await client.subscribe(frame);
  return client;
}

async function listed(demo: DemoProvider, inbox: string): Promise<string[]> {
  const response = await fetch(`${demo.restUrl}/v1/inboxes/${inbox}/messages`, { headers: { Authorization: `Bearer ${KEY}` } });
  return ((await response.json()) as { data: { id: string }[] }).data.map((message) => message.id);
}

describe('push off', () => {
  it('keeps new mail off the socket and out of replay, yet listable over REST', async () => {
    const demo = await provider();
    const client = await subscribed(demo);
    const cursor = demo.emit();
    expect((await client.next()).event_id).toBe(cursor.event_id);

    demo.setPushOff(true);
    const quiet = demo.emit();
    expect(await client.quiet(200)).toEqual([]);
    expect(await listed(demo, quiet.inbox_id!)).toContain(quiet.message!.id);
    expect(demo.mailbox.all().map((message) => message.id)).toEqual([cursor.message!.id, quiet.message!.id]);
    const replaying = await subscribed(demo, { last_event_id: cursor.event_id });
    expect(await replaying.quiet(200)).toEqual([]);

    demo.setPushOff(false);
    const pushed = demo.emit();
    expect((await client.next()).event_id).toBe(pushed.event_id);
    expect((await replaying.next()).event_id).toBe(pushed.event_id);
  });
});

describe('forget the replay log', () => {
  it('makes every earlier cursor unknown, while new cursors replay and REST still lists everything', async () => {
    const demo = await provider();
    const [old] = demo.emitMany(2);
    demo.forgetReplayLog();
    const client = await TestClient.open(demo.url, KEY);
    clients.push(client);
    expect(await client.subscribe({ last_event_id: old!.event_id })).toEqual({ type: 'error', message: 'Unknown last_event_id' });

    const [cursor, missed] = demo.emitMany(2);
    const resumed = await subscribed(demo, { last_event_id: cursor!.event_id });
    expect((await resumed.next()).event_id).toBe(missed!.event_id);
    expect(demo.mailbox.all()).toHaveLength(4);
  });
});
