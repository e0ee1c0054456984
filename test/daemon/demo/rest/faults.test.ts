// The REST fault controls over real HTTP: down (refused or 500), throttled with Retry-After, and slow pages.
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TestClient } from '../ws-client.ts';
import { call, INBOX_A, KEY, startDemo, stopDemos } from './rest-client.ts';

const clients: TestClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await stopDemos();
});

/** Resolves when a TCP connection opens, rejects with the connect error (ECONNREFUSED) otherwise. */
function tcpConnect(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}

describe('REST down', () => {
  it('refused: new connections are refused while open WebSocket sessions carry on, then it is back on the same port', async () => {
    const demo = await startDemo();
    const client = await TestClient.open(demo.url, KEY);
    clients.push(client);
    await client.subscribe();
    expect((await call(demo, '/v1/inboxes')).status).toBe(200);

    await demo.setRestDown('refused');
    await expect(tcpConnect(demo.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await expect(call(demo, '/v1/inboxes')).rejects.toThrow();
    await expect(TestClient.open(demo.url, KEY)).rejects.toThrow(/ECONNREFUSED/);
    const event = demo.emit();
    expect((await client.next()).event_id).toBe(event.event_id);

    await demo.setRestDown(null);
    await tcpConnect(demo.port);
    const listed = await call(demo, `/v1/inboxes/${event.inbox_id}/messages?limit=1`);
    expect(listed.json.data[0].id).toBe(event.message!.id);
  });

  it('refused: restart() listens again and stop() still frees the port', async () => {
    const demo = await startDemo();
    await demo.setRestDown('refused');
    await demo.restart();
    await tcpConnect(demo.port);
    await expect(call(demo, '/v1/inboxes')).rejects.toThrow();
    await demo.setRestDown('refused');
    await demo.stop();
    await expect(tcpConnect(demo.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it.each([
    ['openmail', { error: 'internal_error' }],
    ['agentmail', { name: 'InternalServerError', code: 'internal_error' }],
    ['myagentmail', { code: 'internal_error' }],
  ] as const)('error: every %s API call answers 500 in its error shape, and attachment links still work', async (flavour, shape) => {
    const demo = await startDemo({ flavour });
    let event = demo.emit();
    while (event.message!.attachments!.length === 0) event = demo.emit();
    const path = flavour === 'agentmail' ? '/v0/inboxes' : '/v1/inboxes';
    await demo.setRestDown('error');
    expect(await call(demo, path)).toMatchObject({ status: 500, json: shape });
    expect((await call(demo, path, { key: null })).status).toBe(500);
    expect((await call(demo, event.message!.attachments![0]!.url!, { key: null })).status).toBe(200);
    await demo.setRestDown(null);
    expect((await call(demo, path)).status).toBe(200);
  });
});

describe('REST throttled', () => {
  it('answers 429 with a Retry-After that counts down to the end, then lifts by itself', async () => {
    const demo = await startDemo();
    demo.throttleRest(1);
    const throttled = await call(demo, '/v1/inboxes');
    expect(throttled).toMatchObject({ status: 429, json: { error: 'rate_limit_exceeded' } });
    expect(throttled.headers.get('retry-after')).toBe('1');
    const deadline = Date.now() + 3_000;
    let status = 429;
    while (status === 429 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = (await call(demo, '/v1/inboxes')).status;
    }
    expect(status).toBe(200);
  });

  it('throttleRest(0) lifts it at once', async () => {
    const demo = await startDemo({ flavour: 'agentmail' });
    demo.throttleRest(30);
    const throttled = await call(demo, '/v0/inboxes');
    expect(throttled).toMatchObject({ status: 429, json: { name: 'TooManyRequestsError' } });
    expect(throttled.headers.get('retry-after')).toBe('30');
    demo.throttleRest(0);
    expect((await call(demo, '/v0/inboxes')).status).toBe(200);
  });
});

describe('REST slow pages', () => {
  it('answers each listing page only after the delay, and a client that gives up first gets nothing', async () => {
    const demo = await startDemo();
    demo.emitMany(3);
    demo.setRestPageDelay(300);
    const started = Date.now();
    expect((await call(demo, `/v1/inboxes/${INBOX_A}/messages`)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);

    const aborted = fetch(`${demo.restUrl}/v1/inboxes`, { headers: { Authorization: `Bearer ${KEY}` }, signal: AbortSignal.timeout(50) });
    await expect(aborted).rejects.toThrow(/abort|timeout/i);

    demo.setRestPageDelay(0);
    expect((await call(demo, '/v1/inboxes')).status).toBe(200);
  });
});
