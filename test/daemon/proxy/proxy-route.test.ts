// The REST proxy through the real local API, against the demo provider's OpenMail REST API and a plain HTTP server
// that records exactly what reaches "the provider": the account's key goes on, the agent's credentials and the
// local token do not, sends are safe to retry, limits and the provider's answers pass through, and every call is
// in the audit log without a body or a key.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditResponse } from '../../../shared/audit.ts';
import type { ApiError } from '../../../shared/local-api.ts';
import { DemoProvider } from '../../../daemon/demo/server.ts';
import { MAX_PROXY_REQUEST_BYTES, MAX_PROXY_RESPONSE_BYTES } from '../../../daemon/proxy/proxy.ts';
import { curl, type Harness, startHarness } from '../local-api/harness.ts';

const KEY = 'om_proxy_test_key_7d1e';
const CAPTURE_KEY = 'om_capture_key_42c9';
const INBOX = 'inb_8f3a1b2c';
const OTHER_INBOX = 'inb_5e0d9c47';
const MAIL = { to: 'ana@example.com', subject: 'Proxy hello', body: 'Sent through Mailbridge' };

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  bytes: number;
  body: string;
}

/** "The provider" for header checks: records every request, answers what the test says (by default 200 {ok:true}). */
class CaptureServer {
  readonly seen: Seen[] = [];
  answer: (seen: Seen, res: http.ServerResponse) => void = (_seen, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  };
  readonly #server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (chunks.length < 16) chunks.push(chunk);
    });
    req.on('end', () => {
      const seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, bytes, body: Buffer.concat(chunks).toString('utf8') };
      this.seen.push(seen);
      this.answer(seen, res);
    });
  });

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}

let h: Harness;
let demo: DemoProvider;
let capture: CaptureServer;

beforeEach(async () => {
  h = await startHarness();
  demo = await DemoProvider.start({ apiKey: KEY });
  capture = new CaptureServer();
  await capture.start();
  // Both accounts push through the demo's WebSocket; their REST calls go to the demo and to the capture server.
  h.engine.daemon.addAccount({ name: 'work', provider: 'openmail', url: demo.url, apiUrl: demo.restUrl, inboxIds: [], eventTypes: [], apiKey: KEY });
  h.engine.daemon.addAccount({ name: 'capture', provider: 'openmail', url: demo.url, apiUrl: capture.url, inboxIds: [], eventTypes: [], apiKey: CAPTURE_KEY });
});

afterEach(async () => {
  await h.close();
  await demo.stop();
  await capture.stop();
});

const sendPath = (account: string, inbox = INBOX): string => `/v1/accounts/${account}/proxy/v1/inboxes/${inbox}/send`;

function post(token: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return h.getAs(token, path, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

async function audit(): Promise<AuditResponse> {
  const res = await h.get('/v1/audit');
  expect(res.status).toBe(200);
  return (await res.json()) as AuditResponse;
}

async function errorOf(res: Response): Promise<ApiError['error']> {
  return ((await res.json()) as ApiError).error;
}

function sent(inbox = INBOX): number {
  return demo.mailbox.messages(inbox, 'outbound').length;
}

describe('sending through the proxy', () => {
  it("reaches the provider with the account's key and the agent's Idempotency-Key, and the agent never sees the key", async () => {
    const token = h.agentToken({ name: 'mailer', scope: 'send', inboxIds: [INBOX] });
    const first = await post(token, sendPath('work'), MAIL, { 'Idempotency-Key': 'agent-key-1' });
    const text = await first.text();
    expect(first.status, text).toBe(200);
    expect(first.headers.get('idempotency-key')).toBe('agent-key-1');
    expect(JSON.parse(text)).toMatchObject({ status: 'sent', messageId: expect.any(String) });
    expect(sent()).toBe(1);

    // The same key and body again: the provider answers the first send again and sends nothing.
    const again = await post(token, sendPath('work'), MAIL, { 'Idempotency-Key': 'agent-key-1' });
    expect(await again.json()).toEqual(JSON.parse(text));
    expect(sent()).toBe(1);

    for (const response of [first, again]) {
      expect([...response.headers.values()].join('\n')).not.toContain(KEY);
    }
    expect(text).not.toContain(KEY);
    expect(JSON.stringify(h.errors)).not.toContain(KEY);
  });

  it('passes on only what the provider needs: its key in place of every credential the agent sent', async () => {
    const token = h.agentToken({ name: 'mailer', scope: 'send' });
    const res = await post(token, `${sendPath('capture')}?dry=1&token=${token}`, MAIL, {
      'Idempotency-Key': 'agent-key-2',
      'X-API-Key': 'the-agents-own-key',
      Cookie: 'session=1',
      'Accept-Language': 'de',
    });
    expect(res.status).toBe(200);
    const [seen] = capture.seen;
    expect(seen?.method).toBe('POST');
    expect(seen?.url).toBe(`/v1/inboxes/${INBOX}/send?dry=1`);
    expect(seen?.headers.authorization).toBe(`Bearer ${CAPTURE_KEY}`);
    expect(seen?.headers['idempotency-key']).toBe('agent-key-2');
    expect(seen?.headers['accept-language']).toBe('de');
    expect(seen?.headers['x-api-key']).toBeUndefined();
    expect(seen?.headers.cookie).toBeUndefined();
    expect(JSON.stringify(seen?.headers)).not.toContain(token);
    expect(JSON.parse(seen?.body ?? '')).toEqual(MAIL);
  });

  it('makes an Idempotency-Key when the agent sends none, returns it, and a retry with it sends nothing more', async () => {
    const token = h.agentToken({ name: 'mailer', scope: 'send' });
    const first = await post(token, sendPath('work'), MAIL);
    expect(first.status).toBe(200);
    const key = first.headers.get('idempotency-key');
    expect(key).toMatch(/^mb-[0-9a-f-]{36}$/);
    const retry = await post(token, sendPath('work'), MAIL, { 'Idempotency-Key': key as string });
    expect(retry.status).toBe(200);
    expect(sent()).toBe(1);

    await post(token, sendPath('capture'), MAIL);
    expect(capture.seen[0]?.headers['idempotency-key']).toMatch(/^mb-/);
  });

  it('refuses a read token with 403, a revoked token with 401, and sends nothing', async () => {
    const reader = h.agentToken({ name: 'reader', scope: 'read' });
    const refused = await post(reader, sendPath('work'), MAIL);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: { code: 'forbidden', message: expect.stringMatching(/"send"/) } });
    expect((await h.getAs(reader, `/v1/accounts/work/proxy/v1/inboxes/${INBOX}/messages`)).status).toBe(200);

    const mailer = h.agentToken({ name: 'mailer', scope: 'send' });
    expect(await h.engine.control.revokeToken('mailer')).toBe(true);
    const revoked = await post(mailer, sendPath('work'), MAIL);
    expect(revoked.status).toBe(401);
    expect((await errorOf(revoked)).code).toBe('unauthorized');
    expect(sent()).toBe(0);
  });

  it('keeps a token narrowed to inboxes to paths under them', async () => {
    const token = h.agentToken({ name: 'mailer', scope: 'send', inboxIds: [INBOX] });
    const other = await post(token, sendPath('work', OTHER_INBOX), MAIL);
    expect(other.status).toBe(403);
    expect((await errorOf(other)).message).toMatch(/inb_5e0d9c47 is not one of them/);
    const accountWide = await h.getAs(token, '/v1/accounts/work/proxy/v1/inboxes');
    expect(accountWide.status).toBe(403);
    expect((await errorOf(accountWide)).message).toMatch(/only paths under \/v1\/inboxes\/<inbox id>\//);
    expect((await h.getAs(token, `/v1/accounts/work/proxy/v1/inboxes/${INBOX}/messages`)).status).toBe(200);
    expect(sent(OTHER_INBOX)).toBe(0);
  });

  it('lets a token narrowed to senders send, but not read what the provider would answer unfiltered', async () => {
    const token = h.agentToken({ name: 'bank-bot', scope: 'send', allowSenders: ['*@bank.example'] });
    expect((await h.getAs(token, `/v1/accounts/work/proxy/v1/inboxes/${INBOX}/messages`)).status).toBe(403);
    expect((await post(token, sendPath('work'), MAIL)).status).toBe(200);
  });

  it("passes the provider's status, Retry-After and JSON errors through", async () => {
    const token = h.agentToken({ name: 'mailer', scope: 'send' });
    const missing = await post(token, sendPath('work', 'inb_nope'), MAIL);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'not_found', message: 'Inbox not found' });

    demo.throttleRest(7);
    const throttled = await h.getAs(token, `/v1/accounts/work/proxy/v1/inboxes/${INBOX}/messages`);
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await throttled.json()).toMatchObject({ error: 'rate_limit_exceeded' });
  });

  it("refuses the 11th send in a minute from one inbox itself, with Retry-After, as OpenMail's limit would", async () => {
    const token = h.agentToken({ name: 'mailer', scope: 'send' });
    for (let i = 0; i < 10; i += 1) expect((await post(token, sendPath('work'), { ...MAIL, subject: `Send ${i}` })).status).toBe(200);
    const refused = await post(token, sendPath('work'), { ...MAIL, subject: 'One too many' });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(30);
    expect((await errorOf(refused))).toEqual({ code: 'too_many_requests', message: expect.stringMatching(/allows 10 sends a minute per inbox.*Nothing was sent/) });
    expect(sent()).toBe(10);
    // Another inbox has its own limit.
    expect((await post(token, sendPath('work', OTHER_INBOX), MAIL)).status).toBe(200);
  });

  it('records every call in the audit log, refusals too, never a body or a key; the log is the owner’s', async () => {
    const token = h.agentToken({ name: 'mailer', scope: 'send', inboxIds: [INBOX] });
    await post(token, sendPath('work'), MAIL, { 'Idempotency-Key': 'audit-key' });
    await post(token, sendPath('work', OTHER_INBOX), MAIL);
    const { entries } = await audit();
    expect(entries).toEqual([
      expect.objectContaining({ token: 'mailer', via: 'proxy', account: 'work', method: 'POST', path: `/v1/inboxes/${OTHER_INBOX}/send`, inboxId: OTHER_INBOX, status: 403 }),
      expect.objectContaining({ token: 'mailer', account: 'work', path: `/v1/inboxes/${INBOX}/send`, inboxId: INBOX, status: 200, idempotencyKey: 'audit-key', note: null }),
    ]);
    const text = JSON.stringify(entries);
    expect(text).not.toContain(KEY);
    expect(text).not.toContain(MAIL.body);
    expect(text).not.toContain(token);
    expect((await h.getAs(token, '/v1/audit')).status).toBe(403);
  });
});

describe('the proxy as a proxy', () => {
  it('streams large bodies both ways', async () => {
    const size = 5 * 1024 * 1024;
    capture.answer = (seen, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(size) });
      res.end(Buffer.alloc(size, seen.bytes === size ? 0x61 : 0x62));
    };
    const upload = Buffer.alloc(size, 0x7a);
    const res = await h.get(`/v1/accounts/capture/proxy/v1/inboxes/${INBOX}/attachments`, { method: 'PUT', body: upload, headers: { 'Content-Type': 'application/octet-stream' } });
    expect(res.status).toBe(200);
    const answer = Buffer.from(await res.arrayBuffer());
    expect(capture.seen[0]?.bytes).toBe(size);
    expect(answer.length).toBe(size);
    expect(answer.every((byte) => byte === 0x61)).toBe(true);
  });

  it('refuses a body over the limit before it reaches the provider, announced or not', async () => {
    const bodyFile = path.join(h.root, 'body.bin');
    fs.writeFileSync(bodyFile, Buffer.alloc(2 * 1024 * 1024, 0x41));
    const allowed = await curl([
      '-H', `Authorization: Bearer ${h.token}`, '-H', 'Expect: 100-continue', '-X', 'POST', '--data-binary', `@${bodyFile}`,
      `${h.api.url}/v1/accounts/capture/proxy/v1/inboxes/${INBOX}/upload`,
    ]);
    expect(allowed.status).toBe(200);
    expect(capture.seen[0]?.bytes).toBe(2 * 1024 * 1024);

    const declared = await curl([
      '-H', `Authorization: Bearer ${h.token}`, '-H', 'Expect: 100-continue', '-H', `Content-Length: ${MAX_PROXY_REQUEST_BYTES + 1}`,
      '-X', 'POST', '--data-binary', 'x', `${h.api.url}/v1/accounts/capture/proxy/v1/inboxes/${INBOX}/send`,
    ]);
    expect(declared.status).toBe(413);

    const streamed = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${h.api.url}/v1/accounts/capture/proxy/v1/inboxes/${INBOX}/upload`, { method: 'POST', headers: { Authorization: `Bearer ${h.token}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      const write = (left: number): void => {
        if (left === 0) return void req.end();
        if (req.write(chunk)) write(left - 1);
        else req.once('drain', () => write(left - 1));
      };
      write(MAX_PROXY_REQUEST_BYTES / chunk.length + 2);
    });
    expect(streamed).toBe(413);
    expect(capture.seen.filter((seen) => seen.bytes > MAX_PROXY_REQUEST_BYTES)).toEqual([]);
  });

  it('answers 502 rather than start an answer larger than it passes', async () => {
    capture.answer = (_seen, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(MAX_PROXY_RESPONSE_BYTES + 1) });
      res.write(Buffer.alloc(1024));
    };
    const res = await h.get(`/v1/accounts/capture/proxy/v1/inboxes/${INBOX}/attachments/big`);
    expect(res.status).toBe(502);
    expect((await errorOf(res)).message).toMatch(/more than the proxy passes/);
  });

  it('keeps a redirect into the provider on the proxy, and passes any other as it is', async () => {
    capture.answer = (seen, res) => {
      const location = seen.url.includes('inside') ? `${capture.url}/v1/attachments/msg_1/a.pdf` : 'https://storage.example/signed?sig=1';
      res.writeHead(302, { location }).end();
    };
    const inside = await h.get('/v1/accounts/capture/proxy/v1/attachments/inside/a.pdf', { redirect: 'manual' });
    expect(inside.status).toBe(302);
    expect(inside.headers.get('location')).toBe('/v1/accounts/capture/proxy/v1/attachments/msg_1/a.pdf');
    const outside = await h.get('/v1/accounts/capture/proxy/v1/attachments/outside/a.pdf', { redirect: 'manual' });
    expect(outside.headers.get('location')).toBe('https://storage.example/signed?sig=1');
  });

  it('answers 404 for an unknown account, 400 for a path that could mean another, 502 when the provider is down', async () => {
    expect((await h.get('/v1/accounts/nobody/proxy/v1/inboxes')).status).toBe(404);
    for (const path of ['/v1/inboxes/a%2F..%2Fb/send', '/v1/inboxes/a%2Fb/send', '/v1/inboxes//send', '/v1/inboxes/a%5Cb', '/v1/inboxes/%00/send']) {
      const res = await h.get(`/v1/accounts/capture/proxy${path}`);
      expect(res.status, path).toBe(400);
    }
    expect(capture.seen).toEqual([]);

    await capture.stop();
    const down = await h.get('/v1/accounts/capture/proxy/v1/inboxes');
    expect(down.status).toBe(502);
    expect((await errorOf(down))).toEqual({ code: 'bad_gateway', message: expect.stringMatching(/could not reach the provider: ECONNREFUSED/) });
    await capture.start();
  });
});
