import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AckResponse, ConsumersResponse, EventsResponse } from '../../../../shared/local-api.ts';
import { type Harness, mailEvents, startHarness } from '../harness.ts';

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
});

afterEach(async () => {
  await h.close();
});

async function ack(name: string, seq: unknown): Promise<Response> {
  return h.get(`/v1/consumers/${name}/ack`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ seq }) });
}

async function events(query: string): Promise<EventsResponse> {
  return (await (await h.get(`/v1/events?${query}`)).json()) as EventsResponse;
}

describe('named consumers', () => {
  it('reads from the acknowledged seq, and reports the lag behind the newest event', async () => {
    const stored = h.commit(mailEvents(5));
    expect((await events('consumer=agent-1')).events.map((e) => e.seq)).toEqual(stored.map((e) => e.seq));

    const res = await ack('agent-1', stored[2]?.seq);
    expect(res.status).toBe(200);
    expect((await res.json()) as AckResponse).toEqual({ name: 'agent-1', acked_seq: stored[2]?.seq });

    const rest = await events('consumer=agent-1');
    expect(rest.events.map((e) => e.seq)).toEqual(stored.slice(3).map((e) => e.seq));
    // An explicit cursor wins over the consumer's position.
    expect((await events(`consumer=agent-1&after=${stored[0]?.seq}`)).events).toHaveLength(4);

    const list = (await (await h.get('/v1/consumers')).json()) as ConsumersResponse;
    expect(list.consumers).toHaveLength(1);
    expect(list.consumers[0]).toMatchObject({ name: 'agent-1', ackedSeq: stored[2]?.seq, lag: 2 });
  });

  it('parks a consumer with nothing new and wakes it on commit', async () => {
    const [first] = h.commit(mailEvents(1));
    await ack('waiter', first?.seq);
    const waiting = events('consumer=waiter&wait=30');
    const [next] = h.commit(mailEvents(1));
    // Either the request parked before the commit or read it from the store: it gets exactly the new event.
    expect((await waiting).events.map((e) => e.seq)).toEqual([next?.seq]);
  });

  it('never moves a consumer backwards', async () => {
    const stored = h.commit(mailEvents(4));
    await ack('mono', stored[3]?.seq);
    const res = await ack('mono', stored[1]?.seq);
    expect(((await res.json()) as AckResponse).acked_seq).toBe(stored[3]?.seq);
  });

  it('refuses acks past the newest event, malformed seqs and bad names with 400 JSON', async () => {
    h.commit(mailEvents(2));
    for (const [name, seq] of [
      ['agent', 99],
      ['agent', -1],
      ['agent', 1.5],
      ['agent', '2'],
      ['bad%20name', 1],
    ] as const) {
      const res = await ack(name, seq);
      expect(res.status, `${name} ${String(seq)}`).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('bad_request');
    }
    const notJson = await h.get('/v1/consumers/agent/ack', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{seq:' });
    expect(notJson.status).toBe(400);
    const badConsumer = await h.get(`/v1/events?consumer=${encodeURIComponent('no/slashes')}`);
    expect(badConsumer.status).toBe(400);
  });

  it('deletes a consumer, and 404s for one that does not exist', async () => {
    const [first] = h.commit(mailEvents(1));
    await ack('gone', first?.seq);
    expect((await h.get('/v1/consumers/gone', { method: 'DELETE' })).status).toBe(204);
    expect(((await (await h.get('/v1/consumers')).json()) as ConsumersResponse).consumers).toEqual([]);
    const again = await h.get('/v1/consumers/gone', { method: 'DELETE' });
    expect(again.status).toBe(404);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });
});
