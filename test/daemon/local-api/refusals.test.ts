import http from 'node:http';
import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiError, EventsResponse } from '../../../shared/local-api.ts';
import { curl, type Harness, mailEvents, range, startHarness } from './harness.ts';

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
});

afterEach(async () => {
  await h.close();
});

async function expectError(res: Response, status: number, code: ApiError['error']['code']): Promise<ApiError> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await res.json()) as ApiError;
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  return body;
}

function curlError(result: { status: number; body: string }, status: number, code: string): void {
  expect(result.status).toBe(status);
  expect((JSON.parse(result.body) as ApiError).error.code).toBe(code);
}

/** Sends raw bytes and returns whatever the server answers before closing. */
function rawRequest(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(bytes));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
    socket.setTimeout(5_000, () => socket.destroy(new Error('raw request timed out')));
  });
}

describe('refusals', () => {
  it('401s without a token, with a wrong token, and for ?token= outside streams and upgrades', async () => {
    const none = await fetch(`${h.api.url}/v1/status`);
    await expectError(none, 401, 'unauthorized');
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    await expectError(await fetch(`${h.api.url}/v1/status`, { headers: { Authorization: `Bearer ${'f'.repeat(64)}` } }), 401, 'unauthorized');
    await expectError(await fetch(`${h.api.url}/v1/status`, { headers: { Authorization: h.token } }), 401, 'unauthorized');
    await expectError(await fetch(`${h.api.url}/v1/events?token=${h.token}`), 401, 'unauthorized');
    // Unknown API paths are behind the token too: nothing about the API leaks to an unauthenticated caller.
    await expectError(await fetch(`${h.api.url}/v1/nothing-here`), 401, 'unauthorized');
    expect((await h.get('/v1/status')).status).toBe(200);
  });

  it('403s a foreign Host (DNS rebinding), even with the right token', async () => {
    const auth = ['-H', `Authorization: Bearer ${h.token}`];
    curlError(await curl([...auth, '-H', 'Host: evil.example', `${h.api.url}/v1/status`]), 403, 'forbidden');
    curlError(await curl([...auth, '-H', `Host: evil.example:${h.api.port}`, `${h.api.url}/v1/status`]), 403, 'forbidden');
    curlError(await curl([...auth, '-H', `Host: 127.0.0.1:${h.api.port + 1}`, `${h.api.url}/v1/status`]), 403, 'forbidden');
    // The dashboard is refused under a foreign Host as well.
    curlError(await curl(['-H', 'Host: evil.example', `${h.api.url}/`]), 403, 'forbidden');
    for (const host of [`localhost:${h.api.port}`, `127.0.0.1:${h.api.port}`, `[::1]:${h.api.port}`]) {
      expect((await curl([...auth, '-H', `Host: ${host}`, `${h.api.url}/v1/status`])).status, host).toBe(200);
    }
  });

  it('403s a browser Origin other than our own, and accepts our own', async () => {
    const auth = ['-H', `Authorization: Bearer ${h.token}`];
    for (const origin of ['http://evil.example', `http://127.0.0.1:${h.api.port + 1}`, 'null', `https://localhost:${h.api.port}`]) {
      curlError(await curl([...auth, '-H', `Origin: ${origin}`, `${h.api.url}/v1/status`]), 403, 'forbidden');
    }
    for (const origin of [`http://127.0.0.1:${h.api.port}`, `http://localhost:${h.api.port}`]) {
      expect((await curl([...auth, '-H', `Origin: ${origin}`, `${h.api.url}/v1/status`])).status, origin).toBe(200);
    }
  });

  it('413s an oversized body, whether declared up front, sent chunked, or announced with Expect: 100-continue', async () => {
    const big = JSON.stringify({ seq: 1, pad: 'x'.repeat(100 * 1024) });
    await expectError(await h.get('/v1/test-event', { method: 'POST', body: big, headers: { 'Content-Type': 'application/json' } }), 413, 'payload_too_large');

    const chunked = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${h.api.url}/v1/test-event`, { method: 'POST', headers: { Authorization: `Bearer ${h.token}` } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      for (let i = 0; i < 10; i += 1) req.write('x'.repeat(10 * 1024));
      req.end();
    });
    curlError(chunked, 413, 'payload_too_large');

    const expect100 = await curl([
      '-H', `Authorization: Bearer ${h.token}`, '-H', 'Content-Type: application/json', '-H', 'Expect: 100-continue',
      '--data-binary', big, `${h.api.url}/v1/test-event`,
    ]);
    curlError({ status: expect100.status, body: expect100.body.slice(expect100.body.indexOf('{')) }, 413, 'payload_too_large');
    expect(h.events.count()).toBe(0);
  });

  it('400s malformed and out-of-range query parameters with a JSON error naming the problem', async () => {
    for (const query of [
      'after=abc', 'after=-1', 'after=1e3', 'after=1.5', 'after=', 'after=1&after=2', 'limit=0', 'limit=1001',
      'wait=61', 'wait=-1', 'wiat=5', `inbox_id=${'i'.repeat(300)}`, 'after=99999999999999999999',
    ]) {
      const body = await expectError(await h.get(`/v1/events?${query}`), 400, 'bad_request');
      expect(body.error.message.length, query).toBeGreaterThan(0);
    }
    await expectError(await h.get('/v1/history?limit=5000'), 400, 'bad_request');
    await expectError(await h.get('/v1/events/abc'), 400, 'bad_request');
    await expectError(await h.get('/v1/stream?after=x'), 400, 'bad_request');
  });

  it('404s unknown routes and 405s a wrong method, as JSON', async () => {
    await expectError(await h.get('/v1/nope'), 404, 'not_found');
    await expectError(await h.get('/v1/events/12345'), 404, 'not_found');
    await expectError(await fetch(`${h.api.url}/favicon-nope.ico`), 404, 'not_found');
    const wrong = await h.get('/v1/events', { method: 'POST' });
    await expectError(wrong, 405, 'method_not_allowed');
    expect(wrong.headers.get('allow')).toBe('GET');
  });

  it('answers limits on the URL, header count, header size and malformed HTTP with JSON, and stays up', async () => {
    await expectError(await h.get(`/v1/events?inbox_id=${'a'.repeat(9000)}`), 414, 'bad_request');
    const headers: Record<string, string> = {};
    for (let i = 0; i < 80; i += 1) headers[`x-pad-${i}`] = 'y';
    expect((await h.get('/v1/status', { headers })).status).toBe(200);
    for (let i = 80; i < 150; i += 1) headers[`x-pad-${i}`] = 'y';
    await expectError(await h.get('/v1/status', { headers }), 431, 'bad_request');

    const huge = await rawRequest(h.api.port, `GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1:${h.api.port}\r\nX-Big: ${'z'.repeat(20_000)}\r\n\r\n`);
    expect(huge).toMatch(/^HTTP\/1\.1 431 /);
    expect(huge).toContain('"code":"bad_request"');
    const garbage = await rawRequest(h.api.port, 'NOT HTTP AT ALL\r\n\r\n');
    expect(garbage).toMatch(/^HTTP\/1\.1 400 /);
    const absolute = await rawRequest(h.api.port, `GET http://evil.example/v1/status HTTP/1.1\r\nHost: 127.0.0.1:${h.api.port}\r\nConnection: close\r\n\r\n`);
    expect(absolute).toMatch(/^HTTP\/1\.1 400 /);
    expect((await h.get('/v1/status')).status).toBe(200);
    expect(h.errors).toEqual([]);
  });

  it('keeps a well-behaved long-poll client receiving every event while refusals happen around it', async () => {
    const seen: number[] = [];
    let cursor = 0;
    const client = (async () => {
      while (seen.length < 20) {
        const res = await h.get(`/v1/events?after=${cursor}&wait=10`);
        const body = (await res.json()) as EventsResponse;
        seen.push(...body.events.map((e) => e.seq));
        cursor = body.next_after;
      }
    })();
    const port = h.api.port;
    for (let round = 0; round < 5; round += 1) {
      await Promise.all([
        fetch(`${h.api.url}/v1/events`),
        curl(['-H', 'Host: evil.example', `${h.api.url}/v1/events`]),
        curl(['-H', `Authorization: Bearer ${h.token}`, '-H', 'Origin: http://evil.example', `${h.api.url}/v1/events`]),
        h.get('/v1/events?limit=banana'),
        h.get('/v1/test-event', { method: 'POST', body: 'x'.repeat(70 * 1024) }),
        rawRequest(port, 'BROKEN\r\n\r\n'),
      ]);
      h.commit(mailEvents(4));
    }
    await client;
    expect(seen).toEqual(range(1, 20));
  });
});
