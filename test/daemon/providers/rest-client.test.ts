// The one REST client against a real HTTP server on 127.0.0.1 that answers however a test asks: every bad answer
// a provider or the network can give comes back as a failure of a known kind, never as a throw, and the key
// never appears in what it says, nor travels to a signed link.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_FRAME_DEPTH } from '../../../daemon/providers/frame-json.ts';
import { followableLink, getSignedLink, restGetBytes, restGetJson, retryAfterMs } from '../../../daemon/providers/rest-client.ts';
import type { RestTarget } from '../../../daemon/providers/rest.ts';

const KEY = 'om_secret_key_5f3a9c';
type Handler = (request: IncomingMessage, response: ServerResponse) => void;

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function serve(handler: Handler): Promise<{ target: RestTarget; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = [];
  const server = createServer((request, response) => {
    requests.push(request);
    handler(request, response);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const target: RestTarget = { account: 'work', provider: 'openmail', baseUrl: `http://127.0.0.1:${port}`, headers: { Authorization: `Bearer ${KEY}` } };
  return { target, requests };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Handler {
  return (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
}

describe('restGetJson', () => {
  it('sends the target headers and the query, and answers the parsed JSON', async () => {
    const { target, requests } = await serve(json(200, { data: [{ id: 'inb_1' }], total: 1 }));
    const result = await restGetJson(target, '/v1/inboxes', { query: { limit: 100, offset: 0, page_token: undefined } });
    expect(result).toEqual({ ok: true, value: { data: [{ id: 'inb_1' }], total: 1 } });
    expect(requests[0]!.url).toBe('/v1/inboxes?limit=100&offset=0');
    expect(requests[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it.each([
    [401, 'needs_key'],
    [403, 'needs_key'],
    [404, 'not_found'],
    [400, 'refused'],
    [500, 'server_error'],
    [503, 'server_error'],
  ] as const)('answers HTTP %i as %s, with what the provider said', async (status, kind) => {
    const { target } = await serve(json(status, { error: 'some_code', message: 'Something\nhappened' }));
    const result = await restGetJson(target, '/v1/inboxes');
    expect(result).toMatchObject({ ok: false, failure: { kind, status } });
    if (!result.ok) expect(result.failure.message).toContain(`GET /v1/inboxes: HTTP ${status} (some_code: Something happened)`);
  });

  it('reads Retry-After on a 429, in seconds or as a date', async () => {
    const seconds = await serve(json(429, { error: 'rate_limit_exceeded' }, { 'retry-after': '7' }));
    expect(await restGetJson(seconds.target, '/v1/x')).toMatchObject({ ok: false, failure: { kind: 'rate_limited', retryAfterMs: 7000 } });
    const none = await serve(json(429, {}));
    expect(await restGetJson(none.target, '/v1/x')).toMatchObject({ ok: false, failure: { kind: 'rate_limited', retryAfterMs: null } });
    expect(retryAfterMs(new Date(1_000_000 + 30_000).toUTCString(), 1_000_000)).toBe(30_000);
    expect(retryAfterMs('soon')).toBeNull();
  });

  it('does not follow a redirect, which could carry the key elsewhere', async () => {
    const { target, requests } = await serve(json(302, {}, { location: 'http://127.0.0.2:1/steal' }));
    expect(await restGetJson(target, '/v1/x')).toMatchObject({ ok: false, failure: { kind: 'refused', status: 302 } });
    expect(requests).toHaveLength(1);
  });

  it('refuses malformed JSON and JSON nested past the limit', async () => {
    const garbage = await serve(json(200, '{"data": [1, 2'));
    expect(await restGetJson(garbage.target, '/v1/x')).toMatchObject({ ok: false, failure: { kind: 'malformed' } });
    const deep = await serve(json(200, `${'['.repeat(MAX_FRAME_DEPTH + 1)}${']'.repeat(MAX_FRAME_DEPTH + 1)}`));
    const result = await restGetJson(deep.target, '/v1/x');
    expect(result).toMatchObject({ ok: false, failure: { kind: 'malformed' } });
    if (!result.ok) expect(result.failure.message).toMatch(/nested deeper/);
  });

  it('stops reading a huge answer, declared or streamed', async () => {
    const limits = { timeoutMs: 5_000, maxBytes: 64 * 1024 };
    const declared = await serve(json(200, { data: 'x'.repeat(100_000) }));
    expect(await restGetJson(declared.target, '/v1/x', { limits })).toMatchObject({ ok: false, failure: { kind: 'too_large' } });
    // Chunked, no length: the client stops once past the limit, though the server would send forever.
    const endless = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      const chunk = `"${'y'.repeat(16 * 1024)}",`;
      const write = (): void => {
        while (!response.destroyed && response.write(chunk)) {
          // Fill the socket buffer, then wait for it to drain.
        }
        if (!response.destroyed) response.once('drain', write);
      };
      response.write('[');
      write();
    });
    expect(await restGetJson(endless.target, '/v1/x', { limits })).toMatchObject({ ok: false, failure: { kind: 'too_large' } });
  });

  it('classifies an error answer by its status however large its body', async () => {
    const { target } = await serve(json(502, `<html>${'x'.repeat(200_000)}</html>`));
    expect(await restGetJson(target, '/v1/x', { limits: { timeoutMs: 5_000, maxBytes: 64 * 1024 } })).toMatchObject({
      ok: false,
      failure: { kind: 'server_error', status: 502, message: 'GET /v1/x: HTTP 502' },
    });
  });

  it('gives up on a server that never answers, within the deadline', async () => {
    const { target } = await serve(() => {});
    const started = Date.now();
    const result = await restGetJson(target, '/v1/x', { limits: { timeoutMs: 300, maxBytes: 1024 } });
    expect(result).toMatchObject({ ok: false, failure: { kind: 'timeout', status: null } });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('answers a refused connection and a cancelled call as network failures', async () => {
    const { target } = await serve(json(200, {}));
    const closed = servers.pop()!;
    await new Promise((resolve) => closed.close(resolve));
    const refused = await restGetJson(target, '/v1/x');
    expect(refused).toMatchObject({ ok: false, failure: { kind: 'network' } });
    if (!refused.ok) expect(refused.failure.message).toMatch(/ECONNREFUSED/);

    const slow = await serve(() => {});
    const controller = new AbortController();
    const pending = restGetJson(slow.target, '/v1/x', { signal: controller.signal });
    controller.abort();
    expect(await pending).toMatchObject({ ok: false, failure: { kind: 'network', message: 'GET /v1/x: cancelled' } });
  });

  it('never puts the key in a failure message, even when the provider echoes it', async () => {
    const { target } = await serve(json(401, { error: 'unauthorized', message: `Invalid API key ${KEY}` }));
    const result = await restGetJson(target, '/v1/x');
    expect(result).toMatchObject({ ok: false, failure: { kind: 'needs_key' } });
    expect(JSON.stringify(result)).not.toContain(KEY);
    expect(JSON.stringify(result)).toContain('Invalid API key ****3a9c');
  });
});

describe('restGetBytes and getSignedLink', () => {
  const FILE = Buffer.from('%PDF-1.4 a file of some bytes');
  const collect = async (body: AsyncIterable<Uint8Array>): Promise<Buffer> => {
    const chunks: Uint8Array[] = [];
    for await (const chunk of body) chunks.push(chunk);
    return Buffer.concat(chunks);
  };
  const file =
    (bytes: Buffer = FILE, headers: Record<string, string> = {}): Handler =>
    (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/pdf', 'content-length': String(bytes.length), ...headers });
      response.end(bytes);
    };

  it('hands the bytes at a provider path, fetched with the key, to the sink', async () => {
    const { target, requests } = await serve(file());
    expect(await restGetBytes(target, '/v1/inboxes/inb_1/messages/m/attachments/a', collect)).toEqual({ ok: true, value: FILE });
    expect(requests[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it("follows the provider's redirect to a signed link once, without the key", async () => {
    const storage = await serve(file());
    const signed = `${storage.target.baseUrl}/storage/m/report.pdf?expires=1&signature=abc`;
    const { target, requests } = await serve((_request, response) => response.writeHead(302, { location: signed }).end());
    expect(await restGetBytes(target, '/v1/attachments/m/report.pdf', collect)).toEqual({ ok: true, value: FILE });
    expect(requests).toHaveLength(1);
    expect(storage.requests[0]!.url).toBe('/storage/m/report.pdf?expires=1&signature=abc');
    expect(storage.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('refuses a link it must not follow: plain http to another host, or one with credentials', async () => {
    for (const link of ['http://files.example.com/a.pdf', 'https://user:pass@files.example.com/a.pdf', 'file:///etc/passwd', 'not a url']) {
      const result = await getSignedLink(link, collect);
      expect(result, link).toMatchObject({ ok: false, failure: { kind: 'refused' } });
    }
    expect(followableLink('https://files.example.com/a.pdf?sig=1')).toBe('https://files.example.com/a.pdf?sig=1');
  });

  it('takes an expired link (403) as refused, naming the link without its signature', async () => {
    const { target } = await serve((_request, response) => response.writeHead(403, { 'content-type': 'application/xml' }).end('<Error/>'));
    const result = await getSignedLink(`${target.baseUrl}/storage/a.pdf?signature=secret-part`, collect);
    expect(result).toEqual({
      ok: false,
      failure: { kind: 'refused', status: 403, retryAfterMs: null, message: `GET ${target.baseUrl}/storage/a.pdf: HTTP 403: the link was refused (it may have expired)` },
    });
  });

  it('stops at the size limit, and reports a file cut short against its declared length', async () => {
    const big = await serve(file(Buffer.alloc(2_000)));
    const limits = { timeoutMs: 5_000, maxBytes: 1_000 };
    expect(await restGetBytes(big.target, '/f', collect, { limits })).toMatchObject({ ok: false, failure: { kind: 'too_large' } });
    const undeclared = await serve((_request, response) => {
      response.writeHead(200);
      response.end(Buffer.alloc(2_000));
    });
    expect(await restGetBytes(undeclared.target, '/f', collect, { limits })).toMatchObject({ ok: false, failure: { kind: 'too_large' } });
    const cut = await serve((request, response) => {
      response.writeHead(200, { 'content-length': '100' });
      response.write(Buffer.alloc(40));
      setTimeout(() => request.socket.destroy(), 20);
    });
    expect(await restGetBytes(cut.target, '/f', collect)).toMatchObject({ ok: false, failure: { kind: 'network' } });
  });

  it("answers a provider's refusal by kind, without the key, and throws on what the sink itself throws", async () => {
    const { target } = await serve(json(401, { error: 'unauthorized', message: `bad key ${KEY}` }));
    const refused = await restGetBytes(target, '/f', collect);
    expect(refused).toMatchObject({ ok: false, failure: { kind: 'needs_key', status: 401 } });
    expect(JSON.stringify(refused)).not.toContain(KEY);

    const ok = await serve(file());
    const full = Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    await expect(
      restGetBytes(ok.target, '/f', async () => {
        throw full;
      }),
    ).rejects.toBe(full);
  });

  it('gives up on a file that does not arrive in time', async () => {
    const { target } = await serve((_request, response) => {
      response.writeHead(200, { 'content-length': '100' });
      response.write(Buffer.alloc(10));
    });
    expect(await restGetBytes(target, '/f', collect, { limits: { timeoutMs: 200, maxBytes: 1_000 } })).toMatchObject({
      ok: false,
      failure: { kind: 'timeout' },
    });
  });
});
