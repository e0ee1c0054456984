import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../../shared/event.ts';
import { OWNER } from '../../../shared/principal.ts';
import { SseStreams } from '../../../daemon/local-api/sse.ts';
import { waitFor } from '../../support/wait-for.ts';
import { type Harness, mailEvent, mailEvents, range, SseReader, startHarness } from './harness.ts';

let h: Harness;
const readers: SseReader[] = [];

beforeEach(async () => {
  h = await startHarness();
});

afterEach(async () => {
  for (const reader of readers.splice(0)) reader.close();
  await h.close();
});

async function stream(query = '', headers: Record<string, string> = {}): Promise<SseReader> {
  const reader = await SseReader.open(`${h.api.url}/v1/stream${query}`, { Authorization: `Bearer ${h.token}`, ...headers });
  readers.push(reader);
  return reader;
}

describe('GET /v1/stream (Server-Sent Events)', () => {
  it('sends the backlog, then live events, each with id = seq, event = type and the stored event as data', async () => {
    const backlog = h.commit(mailEvents(3));
    const reader = await stream();
    expect(reader.status).toBe(200);
    await reader.until((r) => r.messages.length === 3);
    const live = h.commit([mailEvent({ event: 'inbox.suspended', inbox_id: 'inb_b' }), mailEvent()]);
    await reader.until((r) => r.messages.length === 5);

    const all = [...backlog, ...live];
    expect(reader.messages.map((m) => m.id)).toEqual(all.map((e) => String(e.seq)));
    expect(reader.messages.map((m) => m.event)).toEqual(all.map((e) => e.event));
    expect(reader.messages.map((m) => JSON.parse(m.data) as StoredEvent)).toEqual(all);
    expect(reader.retry).toBeGreaterThan(0);
  });

  it('resumes from Last-Event-ID with no gap and no duplicate, even when ?after= says otherwise', async () => {
    h.commit(mailEvents(4));
    const first = await stream();
    await first.until((r) => r.messages.length === 4);
    first.close();
    const lastId = first.messages[3]?.id ?? '';
    h.commit(mailEvents(3));
    // A reconnecting EventSource repeats its original URL and adds the header.
    const resumed = await stream('?after=0', { 'Last-Event-ID': lastId });
    await resumed.until((r) => r.messages.length === 3);
    h.commit(mailEvents(1));
    await resumed.until((r) => r.messages.length === 4);
    expect([...first.seqs(), ...resumed.seqs()]).toEqual(range(1, 8));
  });

  it('resumes from ?after= when there is no Last-Event-ID', async () => {
    h.commit(mailEvents(5));
    const reader = await stream('?after=3');
    await reader.until((r) => r.messages.length === 2);
    expect(reader.seqs()).toEqual([4, 5]);
  });

  it('filters by inbox_id and event_type, in the backlog and live', async () => {
    h.commit([mailEvent({ inbox_id: 'inb_a' }), mailEvent({ inbox_id: 'inb_b' }), mailEvent({ inbox_id: 'inb_b', event: 'inbox.suspended' })]);
    const reader = await stream('?inbox_id=inb_b&event_type=message.received');
    await reader.until((r) => r.messages.length === 1);
    h.commit([mailEvent({ inbox_id: 'inb_a' }), mailEvent({ inbox_id: 'inb_b' })]);
    await reader.until((r) => r.messages.length === 2);
    expect(reader.seqs()).toEqual([2, 5]);
  });

  it('pages a backlog far larger than one page, in order', async () => {
    for (let i = 0; i < 5; i += 1) h.commit(mailEvents(300));
    const reader = await stream();
    await reader.until((r) => r.messages.length === 1500, 15_000);
    expect(reader.seqs()).toEqual(range(1, 1500));
  });

  it('accepts the token as ?token= (EventSource cannot set headers), and refuses a wrong one', async () => {
    h.commit(mailEvents(1));
    const reader = await SseReader.open(`${h.api.url}/v1/stream?token=${h.token}`);
    readers.push(reader);
    expect(reader.status).toBe(200);
    await reader.until((r) => r.messages.length === 1);
    const wrong = await SseReader.open(`${h.api.url}/v1/stream?token=${'0'.repeat(64)}`);
    expect(wrong.status).toBe(401);
  });

  it('refuses a malformed Last-Event-ID with 400', async () => {
    const reader = await stream('', { 'Last-Event-ID': 'evt_abc' });
    expect(reader.status).toBe(400);
  });

  it('does not let a client that stops reading hold back others, and it still gets everything, in order, later', async () => {
    // A real HTTP client whose response is paused: its socket fills up while the server keeps writing.
    const slowMessages: string[] = [];
    let slowRes: http.IncomingMessage | null = null;
    const slowReq = http.get(`${h.api.url}/v1/stream`, { headers: { Authorization: `Bearer ${h.token}` } }, (res) => {
      slowRes = res;
      res.pause();
    });
    slowReq.on('error', () => {});
    await waitFor(() => slowRes !== null && h.api.clients().streams === 1, 5_000, 'the slow stream');
    const fast = await stream();

    const body = 'x'.repeat(4096);
    const total = 3000;
    for (let i = 0; i < total / 100; i += 1) {
      h.commit(mailEvents(100, { message: { id: 'm', from: 'a@example.com', to: 'b@example.com', subject: 's', body_text: body } }));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await fast.until((r) => r.messages.length === total, 15_000);
    expect(fast.seqs()).toEqual(range(1, total));

    const slow = slowRes as unknown as http.IncomingMessage;
    let text = '';
    slow.setEncoding('utf8');
    slow.on('data', (chunk: string) => {
      text += chunk;
    });
    slow.resume();
    await waitFor(() => (text.match(/^id: /gm)?.length ?? 0) >= total, 15_000, 'the slow reader to catch up');
    for (const match of text.matchAll(/^id: (\d+)$/gm)) slowMessages.push(match[1] as string);
    expect(slowMessages.map(Number)).toEqual(range(1, total));
    slowReq.destroy();
  }, 40_000);
});

describe('SseStreams catching up', () => {
  it('reads the store for what is older than the recent frames, then the frames, then goes live, in order', async () => {
    // Recent frames for 40 events only: a reader that pauses through 500 of them falls back to the store.
    const streams = new SseStreams(h.hub, h.events, 60_000, { maxEvents: 40, maxBytes: 1_000_000, maxAgeMs: 60_000 });
    const server = http.createServer((_req, res) => streams.open(res, 0, {}, OWNER));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      for (let i = 0; i < 10; i += 1) h.commit(mailEvents(50));
      const reader = await SseReader.open(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      readers.push(reader);
      // Committed while the reader is still in the store's pages: only the newest 40 stay in the frames.
      h.commit(mailEvents(50));
      h.commit(mailEvents(50));
      await reader.until((r) => r.messages.length === 600, 10_000);
      h.commit(mailEvents(3));
      await reader.until((r) => r.messages.length === 603);
      expect(reader.seqs()).toEqual(range(1, 603));
      expect(reader.messages.map((m) => JSON.parse(m.data) as StoredEvent)).toEqual(h.events.after(0, 1_000));
    } finally {
      streams.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('SseStreams keepalive', () => {
  it('sends a comment on quiet streams so idle connections are not dropped', async () => {
    const streams = new SseStreams(h.hub, { after: () => [], latestSeq: () => 0 }, 50);
    const server = http.createServer((_req, res) => streams.open(res, 0, {}, OWNER));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const reader = await SseReader.open(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      readers.push(reader);
      await reader.until((r) => r.comments.filter((c) => c === 'keepalive').length >= 2);
      expect(reader.messages).toEqual([]);
    } finally {
      streams.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
