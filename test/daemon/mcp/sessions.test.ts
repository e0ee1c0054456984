// The /mcp endpoint's sessions with principals constructed here (agent tokens arrive with their own change): a
// narrowed principal never sees other mail through any tool or resource, a session answers only its own principal,
// sessions are bounded, and idle ones expire. Served by a small HTTP server that sets the principal per request,
// as the dispatcher does.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OWNER, type Principal } from '../../../shared/principal.ts';
import { HttpError } from '../../../daemon/local-api/http-json.ts';
import { McpHttpEndpoint } from '../../../daemon/mcp/http-endpoint.ts';
import { SendOnce } from '../../../daemon/mcp/send-once.ts';
import { MailWaiter } from '../../../daemon/wait/waiter.ts';
import { ManualClock } from '../../support/manual-clock.ts';
import { waitFor } from '../../support/wait-for.ts';
import { INBOX, OTHER_INBOX, startEngineWithDemo, type EngineWithDemo } from './engine-with-demo.ts';

const AGENT: Principal = { name: 'ci-bot', owner: false, scopes: ['read'], inboxIds: [INBOX], allowSenders: ['*@github.com'] };

let h: EngineWithDemo;
const closers: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  h = await startEngineWithDemo();
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => {});
});
afterAll(async () => {
  await h?.stop();
});

function endpoint(limits = { maxSessions: 8, idleMs: 60_000 }, clock?: ManualClock): McpHttpEndpoint {
  const { events, hub, consumers } = h.daemon;
  const waiter = new MailWaiter({ events, hub, consumers });
  const sendOnce = new SendOnce(h.daemon.toolSends);
  const sending = { proxy: h.daemon.proxy, sendingAccounts: () => h.daemon.sendingAccounts(), sendOnce };
  const mcp = new McpHttpEndpoint({ version: 'test', events, hub, waiter, ...sending, attachments: h.daemon.attachments }, limits, clock);
  closers.push(async () => {
    waiter.close();
    await mcp.close();
  });
  return mcp;
}

/** An HTTP server in front of the endpoint that says every request comes from `principal`. */
async function serve(mcp: McpHttpEndpoint, principal: Principal): Promise<string> {
  const server = http.createServer((req, res) => {
    mcp.handle({ req, res, url: new URL(req.url ?? '/', 'http://127.0.0.1'), params: {}, principal }).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      if (!res.headersSent) res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: String(error) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
}

async function connect(url: string): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const transport = new StreamableHTTPClientTransport(new URL(url));
  const client = new Client({ name: 'sessions-test', version: '1' });
  await client.connect(transport);
  closers.push(() => client.close());
  return { client, transport };
}

describe('a narrowed principal over MCP', () => {
  it('sees only its inbox and its senders in lists, searches, reads and resources', async () => {
    const { seq: own } = await h.mail({ from: 'GitHub <noreply@github.com>', subject: 'Narrow: your code', body: 'Verification code: 300400' });
    const { seq: otherSender } = await h.mail({ from: 'Mallory <noreply@github.com.evil.example>', subject: 'Narrow: lookalike', body: 'code 1' });
    const { seq: otherInbox } = await h.mail({ from: 'noreply@github.com', subject: 'Narrow: other inbox', body: 'code 2', inbox: OTHER_INBOX });
    const { client } = await connect(await serve(endpoint(), AGENT));

    const listed = (await client.callTool({ name: 'list_emails', arguments: { limit: 50 } })).structuredContent as { items: Array<{ seq: number }> };
    expect(listed.items.map((item) => item.seq)).toContain(own);
    expect(listed.items.map((item) => item.seq)).not.toEqual(expect.arrayContaining([otherSender]));
    expect(listed.items.map((item) => item.seq)).not.toEqual(expect.arrayContaining([otherInbox]));
    const found = (await client.callTool({ name: 'search_emails', arguments: { query: 'narrow' } })).structuredContent as { items: Array<{ seq: number }> };
    expect(found.items.map((item) => item.seq)).toEqual([own]);
    for (const seq of [otherSender, otherInbox]) {
      expect((await client.callTool({ name: 'get_email', arguments: { seq } })).isError, `seq ${seq}`).toBe(true);
      await expect(client.readResource({ uri: `mailbridge://mail/${seq}` })).rejects.toThrow();
    }
    const recent = JSON.parse(((await client.readResource({ uri: 'mailbridge://mail/recent' })).contents[0] as { text: string }).text);
    expect(recent.items.map((item: { seq: number }) => item.seq)).toEqual([own]);
  });

  it('is never woken by mail it may not see', async () => {
    const { client } = await connect(await serve(endpoint(), AGENT));
    const base = h.daemon.hub.listenerCount;
    const call = client.callTool({ name: 'wait_for_code', arguments: { timeout_seconds: 20 } });
    await waitFor(() => h.daemon.hub.listenerCount > base, 5_000, 'the wait');
    await h.mail({ from: 'attacker@evil.example', subject: 'Your code', body: 'Verification code: 666666' });
    await h.mail({ from: 'noreply@github.com', subject: 'Your code', body: 'Verification code: 777777', inbox: OTHER_INBOX });
    h.send({ from: 'noreply@github.com', subject: 'Your code', body: 'Verification code: 424242' });
    expect((await call).structuredContent).toMatchObject({ status: 'received', code: '424242' });
  });

  it('without the scope a tool declares gets a tool error worded as the HTTP 403, not mail', async () => {
    const { client } = await connect(await serve(endpoint(), { ...AGENT, name: 'sender-only', scopes: ['send'] }));
    const result = await client.callTool({ name: 'list_emails', arguments: {} });
    expect(result).toEqual({
      isError: true,
      content: [{ type: 'text', text: 'the token "sender-only" has the scopes [send]; the tool list_emails needs "read" (create a token with --scope read)' }],
    });
  });
});

describe('MCP sessions', () => {
  it('answer only the principal that opened them', async () => {
    const mcp = endpoint();
    const { transport } = await connect(await serve(mcp, OWNER));
    const intruder = await serve(mcp, AGENT);
    const response = await fetch(intruder, { headers: { 'Mcp-Session-Id': transport.sessionId!, Accept: 'text/event-stream' } });
    expect(response.status).toBe(404);
  });

  it('are bounded in number', async () => {
    const url = await serve(endpoint({ maxSessions: 2, idleMs: 60_000 }), OWNER);
    await connect(url);
    await connect(url);
    await expect(connect(url)).rejects.toThrow(/429|at most 2 MCP sessions/);
  });

  it('expire when idle, but not while a stream is open', async () => {
    const clock = new ManualClock();
    const mcp = endpoint({ maxSessions: 8, idleMs: 60_000 }, clock);
    const url = await serve(mcp, OWNER);
    // A session without a stream (a client that only posts), and an SDK client, which keeps one open for notifications.
    const init = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };
    const raw = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
      body: JSON.stringify(init),
    });
    await raw.text();
    const rawSession = raw.headers.get('mcp-session-id')!;
    const { client } = await connect(url);
    await waitFor(() => mcp.sessionCount === 2 && mcp.openRequests === 1, 5_000, 'two sessions, one with its stream open');

    clock.advance(120_000);
    await waitFor(() => mcp.sessionCount === 1, 5_000, 'the idle session to expire');
    const gone = await fetch(url, { method: 'DELETE', headers: { 'Mcp-Session-Id': rawSession } });
    expect(gone.status).toBe(404);
    expect((await client.listTools()).tools).toHaveLength(9);
  });
});
