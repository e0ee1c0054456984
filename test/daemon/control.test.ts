// The window's control calls against a real engine: the demo provider as upstream, the real keychain,
// real settings and SQLite files, and a real local HTTP receiver for forwarding.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Settings } from '../../shared/settings.ts';
import WebSocket from 'ws';
import type { Control } from '../../daemon/control.ts';
import type { Daemon } from '../../daemon/daemon.ts';
import { startEngine } from '../../daemon/engine.ts';
import { DemoProvider } from '../../daemon/demo/server.ts';
import { SecretStore } from '../../daemon/store/secrets.ts';
import { openSettings } from '../../daemon/store/settings.ts';
import { NATS_CREDENTIALS_KEY } from '../../daemon/nats/sink-settings.ts';
import { waitFor } from '../support/wait-for.ts';
import { testDaemonOptions } from '../support/daemon-options.ts';
import { readStream } from '../support/jetstream-reader.ts';
import { NatsServer } from '../support/nats-server.ts';
import type { DaemonStatus, EndpointClients } from '../../shared/status.ts';

const KEY = 'om_control_test_key_a1b2c3d4';
let dir: string;
let demo: DemoProvider;
let daemon: Daemon;
let control: Control;
let secrets: SecretStore;
let token: string;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-control-'));
  demo = await DemoProvider.start({ apiKey: KEY });
  secrets = new SecretStore(`mailbridge-test-${process.pid}-${Date.now()}`);
  ({ daemon, control } = await startEngine(testDaemonOptions(dir, { secrets })));
  token = fs.readFileSync(daemon.endpoint!.tokenFile, 'utf8').trim();
});

afterEach(async () => {
  await daemon.stop();
  await demo.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function call(method: string, route: string, body?: unknown): Promise<Response> {
  return fetch(`${daemon.endpoint!.url}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

describe('accounts', () => {
  it('verifies the key, keeps it in the keychain only, and brings the account live', async () => {
    const response = await call('POST', '/v1/accounts', { name: 'work', provider: 'openmail', url: demo.url, apiUrl: demo.restUrl, inboxIds: [], eventTypes: [], apiKey: KEY });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ ok: true, verified: true });
    expect(secrets.get('work')).toBe(KEY);
    expect(fs.readFileSync(path.join(dir, 'settings.json'), 'utf8')).not.toContain(KEY);
    await waitFor(() => daemon.status().accounts.find((a) => a.account === 'work')?.state === 'live', 5_000, 'live');
    const sent = demo.emit();
    await waitFor(() => daemon.events.seqOf(sent.event_id) !== null, 5_000, 'stored event');

    expect((await call('DELETE', '/v1/accounts/work')).status).toBe(200);
    expect(daemon.status().accounts).toEqual([]);
    expect(secrets.get('work')).toBe(null);
  });

  it('refuses a key the provider rejects and stores nothing', async () => {
    const response = await call('POST', '/v1/accounts', { name: 'bad', provider: 'openmail', url: demo.url, inboxIds: [], eventTypes: [], apiKey: 'om_nope_123456789' });
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ ok: false, error: expect.stringContaining('rejected') });
    expect(secrets.get('bad')).toBe(null);
    expect(openSettings(dir).get().accounts).toEqual([]);
  });

  it.each([
    [{ name: 'has space', provider: 'openmail', apiKey: 'k' }, /account name/],
    [{ name: 'ok', provider: 'gmail', apiKey: 'k' }, /provider must be one of/],
    [{ name: 'ok', provider: 'openmail', url: 'https://x', apiKey: 'k' }, /wss:\/\//],
    [{ name: 'ok', provider: 'openmail', inboxIds: 'inb_1', apiKey: 'k' }, /inboxIds must be a list/],
  ])('answers bad account input %j with a clear 400', async (body, message) => {
    const response = await call('POST', '/v1/accounts', body);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(message as RegExp);
  });
});

describe('forward targets', () => {
  it('shows the secret once, keeps it in the keychain, and delivers the next event signed with it', async () => {
    const received: { signature: string; body: string }[] = [];
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push({ signature: String(req.headers['x-signature']), body });
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;
    try {
      const response = await call('POST', '/v1/forward-targets', { url, inboxIds: [], eventTypes: [] });
      expect(response.status).toBe(201);
      const { target, secret } = (await response.json()) as { target: { id: string }; secret: string };
      expect(secret).toMatch(/^whsec_/);
      expect(fs.readFileSync(path.join(dir, 'settings.json'), 'utf8')).not.toContain(secret);
      expect(secrets.get(`forward:${target.id}`)).toBe(secret);

      const event = daemon.testEvent();
      await waitFor(() => received.length === 1, 5_000, 'forwarded event');
      expect(JSON.parse(received[0]!.body)).toMatchObject({ event_id: event.event_id });
      expect(await control.deadLetters(target.id)).toEqual([]);

      expect((await call('DELETE', `/v1/forward-targets/${target.id}`)).status).toBe(200);
      expect(secrets.get(`forward:${target.id}`)).toBe(null);
      expect(daemon.status().forwards).toEqual([]);
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  it('keeps the delivery options asked for, fills in the rest, and refuses ones out of range', async () => {
    const url = 'http://127.0.0.1:9/hook';
    const response = await call('POST', '/v1/forward-targets', { url, delivery: { retry: 'openmail', order: 'unordered', concurrency: 4 } });
    expect(response.status).toBe(201);
    const { target } = (await response.json()) as { target: { id: string } };
    const expected = { retry: 'openmail', maxAttempts: 5, maxAgeSeconds: 3_600, order: 'unordered', concurrency: 4 };
    expect(openSettings(dir).get().forwardTargets).toEqual([{ id: target.id, url, inboxIds: [], eventTypes: [], delivery: expected }]);
    expect(daemon.status().forwards[0]).toMatchObject({ id: target.id, delivery: expected, inFlight: 0 });
    await control.removeForwardTarget(target.id);

    for (const [delivery, message] of [
      [{ concurrency: 0 }, /delivery\.concurrency must be a whole number from 1 to 64/],
      [{ retry: 'often' }, /delivery\.retry must be one of local, openmail/],
      [{ maxAgeSeconds: 1.5 }, /delivery\.maxAgeSeconds/],
      [{ order: 'strict', speed: 'fast' }, /unknown field: speed/],
    ] as const) {
      const refused = await call('POST', '/v1/forward-targets', { url, delivery });
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(message);
    }
    expect(openSettings(dir).get().forwardTargets).toEqual([]);
  });

  it('refuses a target that is not on this machine', async () => {
    const response = await call('POST', '/v1/forward-targets', { url: 'https://example.com/hook', inboxIds: [], eventTypes: [] });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/loopback/);
  });
});

describe('status', () => {
  it('counts the agents connected to the endpoint: parked long-polls, streams and local WebSockets', async () => {
    const clients = async (): Promise<EndpointClients | undefined> => ((await (await call('GET', '/v1/status')).json()) as DaemonStatus).endpoint?.clients;
    const seen = async (want: Partial<EndpointClients>): Promise<boolean> => {
      const now = await clients();
      return Object.entries(want).every(([key, value]) => now?.[key as keyof EndpointClients] === value);
    };
    expect(await clients()).toMatchObject({ longPolls: 0, streams: 0, webSockets: 0 });

    const poll = new AbortController();
    const parked = fetch(`${daemon.endpoint!.url}/v1/events?after=${daemon.events.latestSeq()}&wait=30`, {
      headers: { authorization: `Bearer ${token}` },
      signal: poll.signal,
    }).catch(() => null);
    const stream = new AbortController();
    const streaming = fetch(`${daemon.endpoint!.url}/v1/stream`, { headers: { authorization: `Bearer ${token}` }, signal: stream.signal });
    const ws = new WebSocket(`${daemon.endpoint!.url.replace('http:', 'ws:')}/v1/ws`, { headers: { authorization: `Bearer ${token}` } });
    await new Promise((resolve) => ws.once('open', resolve));
    await waitFor(() => seen({ longPolls: 1, streams: 1, webSockets: 1 }), 5_000, 'one of each');
    const open = await clients();
    // Three agents, and the status request itself.
    expect(open!.connections).toBeGreaterThanOrEqual(4);

    poll.abort();
    (await streaming).body?.cancel().catch(() => {});
    stream.abort();
    ws.close();
    await parked;
    await waitFor(() => seen({ longPolls: 0, streams: 0, webSockets: 0 }), 5_000, 'none left');
  });
});

describe('settings', () => {
  it('applies a valid patch and refuses an invalid one without changing anything', async () => {
    const ok = await call('PATCH', '/v1/settings', { retention: { maxAgeDays: 7, maxEvents: 5000 } });
    expect(ok.status).toBe(200);
    expect(openSettings(dir).get().retention).toEqual({ maxAgeDays: 7, maxEvents: 5000 });
    const bad = await call('PATCH', '/v1/settings', { port: 'eighty' });
    expect(bad.status).toBe(400);
    const sneaky = await call('PATCH', '/v1/settings', { accounts: [] });
    expect(sneaky.status).toBe(400);
    expect(openSettings(dir).get().retention).toEqual({ maxAgeDays: 7, maxEvents: 5000 });
  });
});

describe('events', () => {
  it('redelivers a stored event and reconnects on request', async () => {
    const event = daemon.testEvent();
    const redeliver = await call('POST', `/v1/events/${event.seq}/redeliver`);
    expect(redeliver.status).toBe(202);
    expect(await redeliver.json()).toEqual({ queued: 0 });
    expect((await call('POST', '/v1/events/999999/redeliver')).status).toBe(400);
    expect((await call('POST', '/v1/reconnect')).status).toBe(202);
  });
});

describe('one answer over every way in', () => {
  it('pages history by the same rule through Control and over HTTP: 50 by default, a coded 400 above 500', async () => {
    for (let i = 0; i < 60; i += 1) daemon.testEvent();
    // The search index trails the commit by design; the two answers are compared once it has caught up.
    await waitFor(() => daemon.events.searchLag() === 0, 5_000, 'the search index to catch up');
    const direct = await control.history({});
    const overHttp = (await (await call('GET', '/v1/history')).json()) as typeof direct;
    expect(direct.items).toHaveLength(50);
    expect(overHttp).toEqual(direct);

    await expect(control.history({ limit: 501 })).rejects.toMatchObject({ code: 'bad_request', message: 'limit must be an integer from 1 to 500' });
    const refused = await call('GET', '/v1/history?limit=501');
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ error: { code: 'bad_request', message: 'limit must be an integer from 1 to 500' } });
  });

  it('answers status, one event and a test event the same way as Control', async () => {
    const event = await control.testEvent();
    expect((await (await call('GET', `/v1/events/${event.seq}`)).json()) as unknown).toEqual(await control.event(event.seq));
    const status = (await (await call('GET', '/v1/status')).json()) as { store: unknown };
    expect(status.store).toEqual((await control.status()).store);
    const created = await call('POST', '/v1/test-event');
    expect(created.status).toBe(201);
    const { event: second } = (await created.json()) as { event: { seq: number } };
    expect(await control.event(second.seq)).toMatchObject({ seq: second.seq, account: 'local' });
  });

  it('refuses unknown query parameters on every control route', async () => {
    for (const route of ['/v1/settings?x=1', '/v1/status?verbose=1', '/v1/deliveries?targt=a', '/v1/events/1?full=1']) {
      const response = await call('GET', route);
      expect(response.status, route).toBe(400);
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/unknown query parameter/);
    }
  });
});

describe('publishing to NATS', () => {
  it('keeps the password in the keychain only, publishes with it, and forgets it when stopped', async () => {
    const nats = await NatsServer.start({ config: 'authorization { users = [ { user: pub, password: "pw-in-keychain" } ] }' });
    try {
      const sink = { url: nats.url, user: 'pub', stream: 'MAIL', subjectPrefix: 'acme.mail', maxAgeDays: 2, maxBytes: null };
      const response = await call('POST', '/v1/sinks/nats', { ...sink, credentials: 'pw-in-keychain' });
      expect(response.status).toBe(200);
      expect(((await response.json()) as Settings).nats).toEqual(sink);
      expect(secrets.get(NATS_CREDENTIALS_KEY)).toBe('pw-in-keychain');
      expect(fs.readFileSync(path.join(dir, 'settings.json'), 'utf8')).not.toContain('pw-in-keychain');

      daemon.testEvent();
      await waitFor(() => daemon.status().sinks[0]?.position === daemon.events.latestSeq() && daemon.status().sinks[0]?.state === 'live', 10_000, 'published');
      const [message] = await readStream(nats.url, 'MAIL', { user: 'pub', pass: 'pw-in-keychain' });
      expect(message!.subject).toBe('acme.mail.local.inb_test.message_received');

      // Changing the rest keeps the stored password.
      expect((await call('POST', '/v1/sinks/nats', { ...sink, maxAgeDays: 3 })).status).toBe(200);
      expect(secrets.get(NATS_CREDENTIALS_KEY)).toBe('pw-in-keychain');
      await waitFor(() => daemon.status().sinks[0]?.state === 'live', 10_000, 'live again');

      const removed = await call('DELETE', '/v1/sinks/nats');
      expect(((await removed.json()) as Settings).nats).toBeNull();
      expect(daemon.status().sinks).toEqual([]);
      expect(secrets.get(NATS_CREDENTIALS_KEY)).toBe(null);
    } finally {
      await nats.stop();
    }
  });

  it('refuses a URL with a user in it, a wildcard prefix and unknown fields, and changes nothing', async () => {
    const sink = { url: 'nats://127.0.0.1:4222', user: null, stream: 'MAILBRIDGE', subjectPrefix: 'mailbridge', maxAgeDays: 30, maxBytes: null };
    for (const bad of [{ ...sink, url: 'nats://u:p@127.0.0.1:4222' }, { ...sink, subjectPrefix: 'mail.*' }, { ...sink, password: 'x' }]) {
      const response = await call('POST', '/v1/sinks/nats', bad);
      expect(response.status).toBe(400);
    }
    expect(openSettings(dir).get().nats).toBeNull();
    expect(daemon.status().sinks).toEqual([]);
  });
});
