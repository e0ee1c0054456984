import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import type { EventsResponse, StatusResponse } from '../../../shared/local-api.ts';
import type { LocalRoute, UpgradeRoute } from '../../../daemon/local-api/context.ts';
import { createDispatcher } from '../../../daemon/local-api/dispatch.ts';
import { HttpError, sendJson } from '../../../daemon/local-api/http-json.ts';
import { waitFor } from '../../support/wait-for.ts';
import { curl, type Harness, mailEvents, startHarness } from './harness.ts';

let h: Harness;
const upgrades = new Map<string, UpgradeRoute>();
const wss = new WebSocketServer({ noServer: true });
wss.on('connection', (socket) => socket.on('message', (data) => socket.send(`echo:${String(data)}`)));

beforeEach(async () => {
  upgrades.clear();
  upgrades.set('/v1/ws', { access: 'read', handle: (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req)) });
  h = await startHarness({ ctx: { upgrades } });
});

const servers: http.Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  for (const client of wss.clients) client.terminate();
  await h.close();
});

/** Opens a WebSocket and says how it went: 'open' after an echo round trip, or the HTTP status it was refused with. */
function connectWs(url: string, options: WebSocket.ClientOptions = {}): Promise<string | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, options);
    ws.on('open', () => ws.send('hi'));
    ws.on('message', (data) => {
      resolve(String(data));
      ws.close();
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
    ws.on('error', () => resolve('error'));
  });
}

describe('transports', () => {
  it('serves curl over TCP with the token', async () => {
    const [event] = h.commit(mailEvents(2));
    const result = await curl(['-H', `Authorization: Bearer ${h.token}`, `${h.api.url}/v1/events?limit=1`]);
    expect(result.status).toBe(200);
    expect((JSON.parse(result.body) as EventsResponse).events.map((e) => e.seq)).toEqual([event?.seq]);
  });

  it('serves curl over the Unix socket without a token, but still refuses foreign Origins there', async () => {
    h.commit(mailEvents(1));
    const socket = h.api.socketPath as string;
    const status = await curl(['--unix-socket', socket, 'http://localhost/v1/status']);
    expect(status.status).toBe(200);
    expect((JSON.parse(status.body) as StatusResponse).store.events).toBe(1);
    const events = await curl(['--unix-socket', socket, 'http://localhost/v1/events?after=0']);
    expect((JSON.parse(events.body) as EventsResponse).events).toHaveLength(1);
    const foreign = await curl(['--unix-socket', socket, '-H', 'Origin: http://evil.example', 'http://localhost/v1/status']);
    expect(foreign.status).toBe(403);
  });

  it('long-polls over the Unix socket and wakes on commit', async () => {
    const after = h.events.latestSeq();
    const waiting = curl(['--unix-socket', h.api.socketPath as string, `http://localhost/v1/events?after=${after}&wait=30`]);
    await waitFor(() => h.api.clients().longPolls === 1, 5_000, 'the parked poll');
    const [event] = h.commit(mailEvents(1));
    expect((JSON.parse((await waiting).body) as EventsResponse).events.map((e) => e.seq)).toEqual([event?.seq]);
  });

  it('hands authorized WebSocket upgrades to the registered handler, and refuses the rest before it sees them', async () => {
    const ws = h.api.url.replace('http:', 'ws:');
    expect(await connectWs(`${ws}/v1/ws`, { headers: { Authorization: `Bearer ${h.token}` } })).toBe('echo:hi');
    expect(await connectWs(`${ws}/v1/ws?token=${h.token}`)).toBe('echo:hi');
    expect(await connectWs(`${ws}/v1/ws`)).toBe(401);
    expect(await connectWs(`${ws}/v1/ws?token=nope`)).toBe(401);
    expect(await connectWs(`${ws}/v1/ws?token=${h.token}`, { origin: 'http://evil.example' })).toBe(403);
    expect(await connectWs(`${ws}/v1/ws?token=${h.token}`, { headers: { Host: 'evil.example' } })).toBe(403);
    expect(await connectWs(`${ws}/v1/elsewhere?token=${h.token}`)).toBe(404);
    expect(await connectWs(`ws+unix://${h.api.socketPath as string}:/v1/ws`)).toBe('echo:hi');
    // A plain GET to a WebSocket path says what it expects instead of a bare 404.
    const plain = await h.get('/v1/ws');
    expect(plain.status).toBe(426);
  });

  /** The request pipeline on its own port, serving `extra` before the server's own routes, with the harness's token. */
  async function pipeline(extra: LocalRoute): Promise<{ url: string; get(path: string, init?: RequestInit): Promise<Response> }> {
    let port = 0;
    const dispatcher = createDispatcher({ ctx: h.ctx, routes: [extra, ...h.api.routes], dashboardDir: null, port: () => port, token: () => h.token });
    const server = http.createServer(dispatcher.request('tcp'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    servers.push(server);
    const url = `http://127.0.0.1:${port}`;
    return { url, get: (path, init = {}) => fetch(`${url}${path}`, { ...init, headers: { Authorization: `Bearer ${h.token}` } }) };
  }

  it('serves any route it is given, with decoded path parameters, behind the token', async () => {
    const api = await pipeline({
      method: 'POST',
      path: '/v1/deliveries/:id/retry',
      access: 'owner',
      handle: ({ res, params }) => {
        if (params.id === 'missing') throw new HttpError(404, 'not_found', 'no such delivery');
        sendJson(res, 202, { id: params.id, status: 'retrying' });
      },
    });
    const ok = await api.get('/v1/deliveries/d%2042/retry', { method: 'POST' });
    expect(ok.status).toBe(202);
    expect(await ok.json()).toEqual({ id: 'd 42', status: 'retrying' });
    const missing = await api.get('/v1/deliveries/missing/retry', { method: 'POST' });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: 'not_found', message: 'no such delivery' } });
    expect((await fetch(`${api.url}/v1/deliveries/1/retry`, { method: 'POST' })).status).toBe(401);
  });

  it('turns a crashing route into a 500 JSON without the details, reports it, and keeps serving', async () => {
    const api = await pipeline({
      method: 'GET',
      path: '/v1/boom',
      access: 'owner',
      handle: () => {
        throw new Error('secret internals');
      },
    });
    const res = await api.get('/v1/boom');
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: { code: 'internal', message: 'internal error' } });
    expect(h.errors).toHaveLength(1);
    expect((await api.get('/v1/status')).status).toBe(200);
  });

  it('skips the Host check on the Unix socket, where no browser can reach (an empty Host is fine)', async () => {
    const body = await new Promise<string>((resolve, reject) => {
      const req = http.request({ socketPath: h.api.socketPath as string, path: '/v1/consumers', headers: { Host: '' } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end();
    });
    expect(JSON.parse(body)).toEqual({ consumers: [] });
  });
});
