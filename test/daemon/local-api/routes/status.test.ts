import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventsResponse, StatusResponse, TestEventResponse } from '../../../../shared/local-api.ts';
import { waitFor } from '../../../support/wait-for.ts';
import { type Harness, mailEvents, startHarness } from '../harness.ts';

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
});

afterEach(async () => {
  await h.close();
});

describe('GET /v1/status', () => {
  it('returns the engine snapshot', async () => {
    h.commit(mailEvents(3));
    await waitFor(() => h.events.searchLag() === 0, 5_000, 'the search index to catch up');
    const res = await h.get('/v1/status');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const status = (await res.json()) as StatusResponse;
    expect(status.store).toEqual({ events: 3, latestSeq: 3, oldestSeq: 1, searchLag: 0 });
    expect(status.pid).toBe(process.pid);
  });
});

describe('POST /v1/test-event', () => {
  it('commits a synthetic event marked test, returns it with 201, and waiting clients get it', async () => {
    const waiting = h.get('/v1/events?after=0&wait=30');
    const res = await h.get('/v1/test-event', { method: 'POST' });
    expect(res.status).toBe(201);
    const { event } = (await res.json()) as TestEventResponse;
    expect(event).toMatchObject({ event: 'message.received', test: true });
    expect(event.seq).toBe(h.events.latestSeq());
    expect(((await (await waiting).json()) as EventsResponse).events.map((e) => e.event_id)).toEqual([event.event_id]);
  });

  it('refuses a body that is not JSON', async () => {
    const res = await h.get('/v1/test-event', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'hello' });
    expect(res.status).toBe(400);
    expect(h.events.count()).toBe(0);
  });
});
