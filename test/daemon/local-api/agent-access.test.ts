// Agent tokens against a real engine (startEngine, its own endpoint): a token narrowed to an inbox or to senders
// never receives other mail by any route (long-poll, parked or not; SSE catch-up and live; the local WebSocket's
// replay and live; history; events/:seq; named consumers), the owner's calls stay the owner's, and a revoked token
// is refused at once, its open streams ended.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { MailEvent, StoredEvent } from '../../../shared/event.ts';
import type { ConsumersResponse, EventsResponse, HistoryResponse } from '../../../shared/local-api.ts';
import type { Daemon } from '../../../daemon/daemon.ts';
import { startEngine } from '../../../daemon/engine.ts';
import { testDaemonOptions } from '../../support/daemon-options.ts';
import { waitFor } from '../../support/wait-for.ts';
import { mailEvent, SseReader } from './harness.ts';

let dir: string;
let daemon: Daemon;
let ownerToken: string;
const open: Array<{ close(): void }> = [];

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-agent-access-'));
  ({ daemon } = await startEngine(testDaemonOptions(dir)));
  ownerToken = fs.readFileSync(daemon.endpoint!.tokenFile, 'utf8').trim();
});

afterEach(async () => {
  for (const each of open.splice(0)) each.close();
  await daemon.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const url = (route: string): string => `${daemon.endpoint!.url}${route}`;
const as = (token: string, route: string, init: RequestInit = {}): Promise<Response> =>
  fetch(url(route), { ...init, headers: { Authorization: `Bearer ${token}`, ...(init.headers as Record<string, string> | undefined) } });

function token(name: string, narrowing: { inboxIds?: readonly string[]; allowSenders?: readonly string[] } = {}): string {
  return daemon.tokens.create({ name, scope: 'read', inboxIds: [...(narrowing.inboxIds ?? [])], allowSenders: [...(narrowing.allowSenders ?? [])] }).token;
}

/** Mail in two inboxes from two senders, plus an account-wide notice with no inbox. */
const mixed = (): MailEvent[] => [
  mailEvent({ inbox_id: 'inb_a', message: { id: 'm1', from: 'Alerts <alerts@bank.example>', to: 'a@x', subject: 'A from bank' } }),
  mailEvent({ inbox_id: 'inb_a', message: { id: 'm2', from: 'spam@evil.example', to: 'a@x', subject: 'A from evil' } }),
  mailEvent({ inbox_id: 'inb_b', message: { id: 'm3', from: 'alerts@bank.example', to: 'b@x', subject: 'B from bank' } }),
  mailEvent({ event: 'inbox.suspended', inbox_id: null }),
];

function commit(events: readonly MailEvent[]): StoredEvent[] {
  return daemon.events.commit('work', events).stored;
}

const subjects = (events: readonly MailEvent[]): string[] => events.map((event) => event.message?.subject ?? event.event);

const NARROWED = [
  { name: 'inbox-a', narrowing: { inboxIds: ['inb_a'] }, sees: ['A from bank', 'A from evil'] },
  { name: 'bank', narrowing: { allowSenders: ['*@bank.example'] }, sees: ['A from bank', 'B from bank'] },
  { name: 'both', narrowing: { inboxIds: ['inb_a'], allowSenders: ['alerts@bank.example'] }, sees: ['A from bank'] },
] as const;

describe.each(NARROWED)('a token narrowed as "$name"', ({ name, narrowing, sees }) => {
  it('gets only its mail from the long-poll, at once and while parked', async () => {
    const agent = token(name, narrowing);
    commit(mixed());
    const page = (await (await as(agent, '/v1/events?after=0')).json()) as EventsResponse;
    expect(subjects(page.events)).toEqual(sees);
    expect(page.next_after).toBe(4);

    const waiting = as(agent, `/v1/events?after=${page.next_after}&wait=10`);
    await waitFor(() => daemon.status().endpoint?.clients?.longPolls === 1, 5_000, 'the parked long-poll');
    commit([mailEvent({ inbox_id: 'inb_b', message: { id: 'm9', from: 'spam@evil.example', to: 'b@x', subject: 'never' } })]);
    commit(mixed());
    const woken = (await (await waiting).json()) as EventsResponse;
    expect(subjects(woken.events)).toEqual(sees);
  });

  it('gets only its mail from SSE, in catch-up and live', async () => {
    const agent = token(name, narrowing);
    commit(mixed());
    const reader = await SseReader.open(url('/v1/stream?after=0'), { Authorization: `Bearer ${agent}` });
    open.push(reader);
    await reader.until((r) => r.messages.length >= sees.length);
    commit(mixed());
    await reader.until((r) => r.messages.length >= 2 * sees.length);
    // A last event everyone sees marks the end: nothing else arrived before it.
    commit([mailEvent({ inbox_id: 'inb_a', message: { id: 'end', from: 'alerts@bank.example', to: 'a@x', subject: 'end' } })]);
    await reader.until((r) => r.messages.some((m) => m.data.includes('"end"')));
    expect(subjects(reader.messages.map((m) => JSON.parse(m.data) as MailEvent))).toEqual([...sees, ...sees, 'end']);
  });

  it('gets only its mail from the local WebSocket, in replay and live', async () => {
    const agent = token(name, narrowing);
    const [first] = commit([mailEvent({ inbox_id: 'inb_c' })]);
    commit(mixed());
    const frames: Record<string, unknown>[] = [];
    const ws = new WebSocket(url('/v1/ws').replace('http:', 'ws:'), { headers: { Authorization: `Bearer ${agent}` } });
    open.push({ close: () => ws.terminate() });
    ws.on('message', (data) => frames.push(JSON.parse(String(data)) as Record<string, unknown>));
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(JSON.stringify({ type: 'subscribe', last_event_id: first!.event_id }));
    await waitFor(() => frames.length >= 1 + sees.length, 5_000, 'the replay');
    commit(mixed());
    commit([mailEvent({ inbox_id: 'inb_a', message: { id: 'end', from: 'alerts@bank.example', to: 'a@x', subject: 'end' } })]);
    await waitFor(() => frames.some((frame) => (frame as MailEvent).message?.subject === 'end'), 5_000, 'the live events');
    expect(frames[0]).toMatchObject({ type: 'subscribed' });
    expect(subjects(frames.slice(1) as unknown as MailEvent[])).toEqual([...sees, ...sees, 'end']);
  });

  it('gets only its mail from history and events/:seq', async () => {
    const agent = token(name, narrowing);
    const stored = commit(mixed());
    const history = (await (await as(agent, '/v1/history?limit=1')).json()) as HistoryResponse;
    expect(history.items).toHaveLength(1);
    const all = (await (await as(agent, '/v1/history')).json()) as HistoryResponse;
    expect(subjects(all.items.map((item) => item.event)).reverse()).toEqual(sees);
    for (const event of stored) {
      const res = await as(agent, `/v1/events/${event.seq}`);
      expect(res.status, event.message?.subject ?? event.event).toBe(sees.includes((event.message?.subject ?? '') as never) ? 200 : 404);
    }
  });
});

describe('agent tokens and the rest of the API', () => {
  it('refuses the local WebSocket an inbox outside a narrowed token, as OpenMail refuses another account’s', async () => {
    const agent = token('inbox-a', { inboxIds: ['inb_a'] });
    const ws = new WebSocket(url('/v1/ws').replace('http:', 'ws:'), { headers: { Authorization: `Bearer ${agent}` } });
    open.push({ close: () => ws.terminate() });
    const frames: Record<string, unknown>[] = [];
    ws.on('message', (data) => frames.push(JSON.parse(String(data)) as Record<string, unknown>));
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(JSON.stringify({ type: 'subscribe', inbox_ids: ['inb_b'] }));
    await waitFor(() => frames.length === 1, 5_000, 'the answer');
    expect(frames[0]).toEqual({ type: 'error', message: expect.stringMatching(/inb_b/) });
  });

  it("keeps each token's named consumers apart, and apart from the owner's", async () => {
    const one = token('one');
    const two = token('two');
    commit(mixed());
    for (const [agent, seq] of [[one, 2], [two, 3], [ownerToken, 1]] as const) {
      const ack = await as(agent, '/v1/consumers/bot/ack', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ seq }) });
      expect(await ack.json()).toEqual({ name: 'bot', acked_seq: seq });
    }
    const page = (await (await as(one, '/v1/events?consumer=bot')).json()) as EventsResponse;
    expect(page.events.map((event) => event.seq)).toEqual([3, 4]);
    const mine = (await (await as(two, '/v1/consumers')).json()) as ConsumersResponse;
    expect(mine.consumers.map((consumer) => [consumer.name, consumer.ackedSeq])).toEqual([['bot', 3]]);
    const everyone = (await (await as(ownerToken, '/v1/consumers')).json()) as ConsumersResponse;
    expect(everyone.consumers.map((consumer) => consumer.name)).toEqual(['bot', 'one:bot', 'two:bot']);
    expect((await as(one, '/v1/consumers/two:bot', { method: 'DELETE' })).status).toBe(400);
    expect((await as(one, '/v1/consumers/bot', { method: 'DELETE' })).status).toBe(204);
    expect(daemon.consumers.get('two:bot')).toBe(3);
  });

  it("refuses an agent token the owner's calls with a 403 that says why", async () => {
    const agent = daemon.tokens.create({ name: 'mailer', scope: 'send', inboxIds: [], allowSenders: [] }).token;
    for (const [method, route] of [
      ['GET', '/v1/status'],
      ['GET', '/v1/settings'],
      ['GET', '/v1/tokens'],
      ['GET', '/v1/audit'],
      ['POST', '/v1/test-event'],
      ['POST', '/v1/reconnect'],
      ['POST', '/v1/token/rotate'],
      ['DELETE', '/v1/tokens/mailer'],
    ] as const) {
      const res = await as(agent, route, { method });
      expect(res.status, `${method} ${route}`).toBe(403);
      expect(await res.json()).toEqual({ error: { code: 'forbidden', message: expect.stringMatching(/owner's alone/) } });
    }
    expect(daemon.tokens.list().map((t) => t.name)).toEqual(['mailer']);
    expect((await as(agent, '/v1/events')).status).toBe(200);
  });

  it('makes a revocation take effect at once: waiting requests get 401, streams end, sockets close with 4001', async () => {
    const agent = token('doomed');
    const parked = as(agent, `/v1/events?after=${daemon.events.latestSeq()}&wait=30`);
    const reader = await SseReader.open(url('/v1/stream'), { Authorization: `Bearer ${agent}` });
    open.push(reader);
    const ws = new WebSocket(url('/v1/ws').replace('http:', 'ws:'), { headers: { Authorization: `Bearer ${agent}` } });
    open.push({ close: () => ws.terminate() });
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    await new Promise((resolve) => ws.once('open', resolve));
    await waitFor(() => daemon.status().endpoint?.clients?.longPolls === 1 && daemon.status().endpoint?.clients?.streams === 1, 5_000, 'the open requests');

    const revoked = await as(ownerToken, '/v1/tokens/doomed', { method: 'DELETE' });
    expect(await revoked.json()).toEqual({ removed: 'doomed' });
    expect((await parked).status).toBe(401);
    await reader.until((r) => r.ended);
    expect(await closed).toBe(4001);
    expect((await as(agent, '/v1/events')).status).toBe(401);
    expect((await as(ownerToken, '/v1/tokens/doomed', { method: 'DELETE' })).status).toBe(404);
  });
});
