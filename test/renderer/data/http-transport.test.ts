// The HTTP transport against a real loopback server: what goes on the wire, and how answers and errors come back.
import { resolveObjectURL } from 'node:buffer';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../../shared/event.ts';
import type { DaemonStatus } from '../../../shared/status.ts';
import { ApiError } from '../../../renderer/data/api-error.ts';
import { createHttpTransport, historySearch } from '../../../renderer/data/http-transport.ts';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

type Handler = (req: Seen, res: http.ServerResponse) => void;

const TOKEN = 'test-token-0123';

let server: http.Server;
let baseUrl: string;
let seen: Seen[];
let handle: Handler;

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

function statusBody(latestSeq: number): DaemonStatus {
  return {
    version: '0.1.0',
    pid: 1,
    startedAt: '2026-11-23T00:00:00.000Z',
    dataDir: 'data',
    demo: true,
    accounts: [],
    endpoint: null,
    store: { events: latestSeq, latestSeq, oldestSeq: latestSeq > 0 ? 1 : null },
    consumers: [],
    forwards: [],
    engine: 'laptop',
    sinks: [],
  };
}

function event(seq: number): StoredEvent {
  return { seq, event: 'message.received', event_id: `evt_${seq}`, occurred_at: '2026-11-23T00:00:00.000Z', inbox_id: 'inb_1' };
}

const until = async (check: () => boolean, ms = 3000): Promise<void> => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

beforeEach(async () => {
  seen = [];
  handle = (_req, res) => json(res, 200, {});
  server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      seen.push(request);
      handle(request, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const transport = (options: Partial<Parameters<typeof createHttpTransport>[0]> = {}) =>
  createHttpTransport({ baseUrl, token: TOKEN, statusIntervalMs: 20, reconnectMs: 20, ...options });

describe('control calls', () => {
  it('sends each call to its route with the Bearer token, JSON only where there is a body', async () => {
    handle = (req, res) => {
      const route = `${req.method} ${req.url}`;
      if (route === 'POST /v1/events/9/redeliver') return json(res, 202, { queued: 2 });
      if (route === 'POST /v1/test-event') return json(res, 201, { event: event(12) });
      if (route === 'POST /v1/forward-targets') return json(res, 201, { target: { id: 'fwd_1' }, secret: 's' });
      if (route === 'PATCH /v1/settings') return json(res, 200, { port: 4319 });
      json(res, 200, { ok: true, verified: false });
    };
    const { api } = transport();
    await api.status();
    await api.settings();
    expect(await api.updateSettings({ launchAtLogin: true })).toEqual({ port: 4319 });
    expect(await api.addAccount({ name: 'work', provider: 'openmail', inboxIds: ['inb_1'], eventTypes: [], apiKey: 'om_key' })).toEqual({
      ok: true,
      verified: false,
    });
    await api.removeAccount('my work/1');
    expect((await api.addForwardTarget({ url: 'http://127.0.0.1:9/hook', inboxIds: [], eventTypes: [] })).secret).toBe('s');
    await api.removeForwardTarget('fwd_1');
    expect(await api.retryDelivery(5)).toBe(true);
    expect(await api.redeliver(9)).toBe(2);
    await api.reconnect();
    expect((await api.testEvent()).seq).toBe(12);

    expect(seen.map((req) => `${req.method} ${req.url}`)).toEqual([
      'GET /v1/status',
      'GET /v1/settings',
      'PATCH /v1/settings',
      'POST /v1/accounts',
      'DELETE /v1/accounts/my%20work%2F1',
      'POST /v1/forward-targets',
      'DELETE /v1/forward-targets/fwd_1',
      'POST /v1/deliveries/5/retry',
      'POST /v1/events/9/redeliver',
      'POST /v1/reconnect',
      'POST /v1/test-event',
    ]);
    for (const req of seen) expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
    const withBody = seen.filter((req) => req.body !== '');
    expect(withBody.map((req) => req.url)).toEqual(['/v1/settings', '/v1/accounts', '/v1/forward-targets']);
    for (const req of withBody) expect(req.headers['content-type']).toBe('application/json');
    expect(JSON.parse(seen[3]?.body ?? '')).toEqual({ name: 'work', provider: 'openmail', inboxIds: ['inb_1'], eventTypes: [], apiKey: 'om_key' });
    expect(JSON.parse(seen[2]?.body ?? '')).toEqual({ launchAtLogin: true });
  });

  it('asks history with only the filters that are set, encoded', async () => {
    handle = (_req, res) => json(res, 200, { items: [], next_before: null });
    await transport().api.history({ q: ' invoice & "Q3" ', before: 500, limit: 200, account: '', inbox_id: 'inb_1', event_type: undefined });
    expect(seen[0]?.url).toBe('/v1/history?q=invoice+%26+%22Q3%22&before=500&limit=200&inbox_id=inb_1');
    expect(historySearch({})).toBe('');
  });

  it('lists a target\'s dead letters', async () => {
    const letter = { id: 3, targetId: 'fwd 1', seq: 8, eventId: 'evt_8', attempts: 5, lastError: 'HTTP 502', at: '2026-11-23T00:00:00.000Z', status: 'dead' };
    handle = (_req, res) => json(res, 200, { deliveries: [letter] });
    expect(await transport().api.deadLetters('fwd 1')).toEqual([letter]);
    // One encoder for every query now: form encoding, as history always used (a space is '+').
    expect(seen[0]?.url).toBe('/v1/deliveries?target=fwd+1');
  });

  it('reads one event, and null when the engine has none', async () => {
    handle = (req, res) =>
      req.url === '/v1/events/3'
        ? json(res, 200, { seq: 3, account: 'a', stored_at: 'x', event: event(3) })
        : json(res, 404, { error: { code: 'not_found', message: 'no event with seq 4' } });
    const { api } = transport();
    expect((await api.event(3))?.seq).toBe(3);
    expect(await api.event(4)).toBeNull();
  });
});

describe('errors', () => {
  it('surfaces the engine message, code and status', async () => {
    handle = (_req, res) => json(res, 400, { error: { code: 'bad_request', message: 'the provider URL must start with wss:// or ws://' } });
    const failure = transport().api.updateSettings({ port: 1 });
    await expect(failure).rejects.toBeInstanceOf(ApiError);
    await expect(failure).rejects.toMatchObject({ status: 400, code: 'bad_request', message: 'the provider URL must start with wss:// or ws://' });
  });

  it('falls back to the status line when the body is not the error shape', async () => {
    handle = (_req, res) => {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end('boom');
    };
    await expect(transport().api.status()).rejects.toMatchObject({ status: 500, message: '500 Internal Server Error' });
  });

  it('treats a refused key as an answer, and a missing dead letter as false', async () => {
    handle = (req, res) =>
      req.url === '/v1/accounts'
        ? json(res, 422, { ok: false, error: 'openmail rejected this key (401)' })
        : json(res, 404, { error: { code: 'not_found', message: 'no such dead letter' } });
    const { api } = transport();
    expect(await api.addAccount({ name: 'w', provider: 'openmail', inboxIds: [], eventTypes: [], apiKey: 'bad' })).toEqual({
      ok: false,
      error: 'openmail rejected this key (401)',
    });
    expect(await api.retryDelivery(77)).toBe(false);
  });

  it('says so when nothing listens', async () => {
    const dead = createHttpTransport({ baseUrl: 'http://127.0.0.1:9', token: TOKEN });
    await expect(dead.api.status()).rejects.toMatchObject({ status: 0, code: 'unreachable', message: expect.stringContaining('Cannot reach') });
  });

  it('keeps the refused-token case recognisable', async () => {
    handle = (_req, res) => json(res, 401, { error: { code: 'unauthorized', message: 'invalid token' } });
    await expect(transport().api.status()).rejects.toMatchObject({ status: 401, message: 'invalid token' });
  });
});

describe('live events', () => {
  it('streams from the newest seq, batches events, and resumes with Last-Event-ID after a drop', async () => {
    let streams = 0;
    handle = (req, res) => {
      if (req.url === '/v1/status') return json(res, 200, statusBody(41));
      streams += 1;
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      if (streams === 1) {
        res.write('retry: 30\n\n');
        res.end(`id: 42\nevent: message.received\ndata: ${JSON.stringify(event(42))}\n\nid: 43\nevent: inbox.suspended\ndata: ${JSON.stringify(event(43))}\n\n`);
      } else {
        res.write(`id: 44\nevent: message.received\ndata: ${JSON.stringify(event(44))}\n\n: keepalive\n\ndata: not json\n\n`);
      }
    };
    const batches: number[][] = [];
    const off = transport().live.onEvents((events) => batches.push(events.map((item) => item.seq)));
    await until(() => batches.flat().length === 3);
    off();

    const streamRequests = seen.filter((req) => req.url.startsWith('/v1/stream'));
    expect(streamRequests.map((req) => req.url)).toEqual(['/v1/stream?after=41', '/v1/stream?after=41']);
    expect(streamRequests[0]?.headers['last-event-id']).toBeUndefined();
    expect(streamRequests[1]?.headers['last-event-id']).toBe('43');
    for (const req of streamRequests) {
      expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(req.headers.accept).toBe('text/event-stream');
    }
    // Event names do not matter, malformed data is skipped, and nothing is delivered twice.
    expect(batches.flat()).toEqual([42, 43, 44]);
  });

  it('keeps retrying while the stream is refused, and stops when nobody listens', async () => {
    handle = (req, res) =>
      req.url === '/v1/status' ? json(res, 200, statusBody(0)) : json(res, 503, { error: { code: 'internal', message: 'busy' } });
    const off = transport().live.onEvents(() => undefined);
    await until(() => seen.filter((req) => req.url.startsWith('/v1/stream')).length >= 3);
    off();
    const count = seen.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seen.length).toBe(count);
  });
});

describe('status polling', () => {
  it('polls while watched, reports a lost engine once and its return once', async () => {
    let up = true;
    handle = (_req, res) => (up ? json(res, 200, statusBody(1)) : json(res, 500, { error: { code: 'internal', message: 'down' } }));
    const { live } = transport();
    const statuses: number[] = [];
    const problems: (string | null)[] = [];
    const offStatus = live.onStatus((status) => statuses.push(status.store.latestSeq));
    const offConnection = live.onConnection((problem) => problems.push(problem?.message ?? null));
    await until(() => statuses.length >= 3);
    up = false;
    await until(() => seen.length >= statuses.length + 3);
    up = true;
    await until(() => problems.length === 3);
    offStatus();
    offConnection();
    const polls = seen.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seen.length).toBeLessThanOrEqual(polls + 1);
    expect(problems).toEqual([null, 'down', null]);
    expect(seen.every((req) => req.url === '/v1/status')).toBe(true);
  });
});

describe('host actions', () => {
  it('copies the token and opens only web links', async () => {
    const copied: string[] = [];
    const opened: string[] = [];
    const { host } = transport({ writeClipboard: async (text) => void copied.push(text), openWindow: (url) => void opened.push(url) });
    await host.copyToken();
    await host.openExternal('https://attachments.example/a.pdf');
    await expect(host.openExternal('javascript:alert(1)')).rejects.toThrow(/http and https/);
    expect(copied).toEqual([TOKEN]);
    expect(opened).toEqual(['https://attachments.example/a.pdf']);
  });
});

describe('attachments', () => {
  const KEPT = { filename: '../report.pdf', contentType: 'application/pdf', local_url: 'http://localhost:1/v1/attachments/att_AAAAAAAAAAAAAAAAAAAAAAAA' };
  const BYTES = Buffer.from('%PDF-1.4 the report');

  async function blobAt(url: string): Promise<{ type: string; bytes: Buffer }> {
    const blob = resolveObjectURL(url)!;
    return { type: blob.type, bytes: Buffer.from(await blob.arrayBuffer()) };
  }

  it('fetches a kept file from this endpoint with the token in a header, and hands the browser blob URLs only', async () => {
    handle = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/pdf' });
      res.end(BYTES);
    };
    const opened: string[] = [];
    const downloads: Array<[string, string]> = [];
    const { host } = transport({ openWindow: (url) => opened.push(url), download: (url, name) => downloads.push([url, name]) });
    await host.openAttachment(KEPT);
    await host.saveAttachment(KEPT);

    // Whatever origin local_url names, the bytes come from the endpoint this page talks to.
    expect(seen.map((req) => [req.method, req.url, req.headers.authorization])).toEqual([
      ['GET', '/v1/attachments/att_AAAAAAAAAAAAAAAAAAAAAAAA', `Bearer ${TOKEN}`],
      ['GET', '/v1/attachments/att_AAAAAAAAAAAAAAAAAAAAAAAA', `Bearer ${TOKEN}`],
    ]);
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatch(/^blob:/);
    expect(await blobAt(opened[0]!)).toEqual({ type: 'application/pdf', bytes: BYTES });
    // Saved as bytes of no type of their own, under the cleaned name.
    const [url, name] = downloads[0]!;
    expect(name).toBe('___report.pdf');
    expect(await blobAt(url)).toEqual({ type: 'application/octet-stream', bytes: BYTES });
    expect(JSON.stringify([opened, downloads])).not.toContain(TOKEN);
  });

  it('never opens a type that can run code, and passes on why a file cannot be had', async () => {
    const opened: string[] = [];
    const { host } = transport({ openWindow: (url) => opened.push(url) });
    await expect(host.openAttachment({ ...KEPT, filename: 'page.html', contentType: 'text/html' })).rejects.toThrow(
      'page.html (text/html) could run code if shown here: save it instead',
    );
    expect(seen).toEqual([]);

    handle = (_req, res) => json(res, 502, { error: { code: 'bad_gateway', message: 'GET /v1/attachments/m/report.pdf: HTTP 500' } });
    await expect(host.openAttachment(KEPT)).rejects.toMatchObject({ status: 502, code: 'bad_gateway', message: 'GET /v1/attachments/m/report.pdf: HTTP 500' });
    await expect(host.saveAttachment({ ...KEPT, local_url: 'https://evil.example/steal' })).rejects.toBeInstanceOf(ApiError);
    expect(opened).toEqual([]);
  });
});
