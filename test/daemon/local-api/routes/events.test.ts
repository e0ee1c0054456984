import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventsResponse } from '../../../../shared/local-api.ts';
import { waitFor } from '../../../support/wait-for.ts';
import { type Harness, mailEvent, mailEvents, range, startHarness } from '../harness.ts';

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
});

afterEach(async () => {
  await h.close();
});

async function poll(query: string, init?: RequestInit): Promise<EventsResponse> {
  const res = await h.get(`/v1/events?${query}`, init);
  expect(res.status).toBe(200);
  return (await res.json()) as EventsResponse;
}

/** Resolves once the server holds `n` parked requests, so a commit after it cannot race their arrival. */
async function parkedCount(n: number): Promise<void> {
  await waitFor(() => h.api.clients().longPolls === n, 10_000, `${n} parked long-polls`);
}

/** Whether `request` is still unanswered a moment later. */
async function stillPending(request: Promise<unknown>): Promise<boolean> {
  const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 100));
  return Promise.race([request.then(() => false), timeout]);
}

describe('GET /v1/events long-poll', () => {
  it('answers at once with the backlog after the cursor, even with a long wait', async () => {
    const stored = h.commit(mailEvents(3));
    const body = await poll('after=0&wait=60');
    expect(body.events.map((e) => e.seq)).toEqual(stored.map((e) => e.seq));
    expect(body.events[0]?.event_id).toBe(stored[0]?.event_id);
    expect(body.next_after).toBe(stored[2]?.seq);
    const rest = await poll(`after=${stored[0]?.seq}`);
    expect(rest.events.map((e) => e.seq)).toEqual(stored.slice(1).map((e) => e.seq));
  });

  it('reads from 0 when neither after nor consumer is given', async () => {
    const stored = h.commit(mailEvents(2));
    expect((await poll('')).events.map((e) => e.seq)).toEqual(stored.map((e) => e.seq));
  });

  it('holds the request and answers the moment an event is committed', async () => {
    const [first] = h.commit(mailEvents(1));
    const waiting = poll(`after=${first?.seq}&wait=30`);
    await parkedCount(1);
    const committedAt = Date.now();
    const [next] = h.commit(mailEvents(1));
    const body = await waiting;
    expect(body.events.map((e) => e.seq)).toEqual([next?.seq]);
    expect(body.next_after).toBe(next?.seq);
    // Far below the 30 s wait: answered by the commit, not by the deadline.
    expect(Date.now() - committedAt).toBeLessThan(5_000);
  });

  it('answers with no events and the same cursor when the wait expires', async () => {
    const [first] = h.commit(mailEvents(1));
    const started = Date.now();
    const body = await poll(`after=${first?.seq}&wait=1`);
    expect(body).toEqual({ events: [], next_after: first?.seq });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('expires each parked request at its own deadline', async () => {
    const after = h.events.latestSeq();
    const long = poll(`after=${after}&wait=2`);
    const short = poll(`after=${after}&wait=1`);
    await parkedCount(2);
    expect(await short).toEqual({ events: [], next_after: after });
    expect(h.api.clients().longPolls).toBe(1);
    expect(await long).toEqual({ events: [], next_after: after });
  });

  it('answers at once with nothing when wait is 0', async () => {
    expect(await poll('after=0')).toEqual({ events: [], next_after: 0 });
  });

  it('filters the backlog and live events by inbox_id and event_type', async () => {
    h.commit([mailEvent({ inbox_id: 'inb_a' }), mailEvent({ inbox_id: 'inb_b' }), mailEvent({ inbox_id: 'inb_b', event: 'inbox.suspended' })]);
    const backlog = await poll('inbox_id=inb_b&event_type=message.received');
    expect(backlog.events.map((e) => [e.inbox_id, e.event])).toEqual([['inb_b', 'message.received']]);

    const latest = h.events.latestSeq();
    const waiting = poll(`after=${latest}&wait=30&inbox_id=inb_c`);
    await parkedCount(1);
    h.commit([mailEvent({ inbox_id: 'inb_a' })]);
    expect(await stillPending(waiting)).toBe(true);
    const [wanted] = h.commit([mailEvent({ inbox_id: 'inb_a' }), mailEvent({ inbox_id: 'inb_c' })]).slice(1);
    expect((await waiting).events.map((e) => e.seq)).toEqual([wanted?.seq]);
  });

  it('returns at most limit events, and next_after continues exactly where it stopped', async () => {
    const stored = h.commit(mailEvents(7));
    const first = await poll('limit=3');
    expect(first.events.map((e) => e.seq)).toEqual(stored.slice(0, 3).map((e) => e.seq));
    const second = await poll(`after=${first.next_after}&limit=3`);
    expect(second.events.map((e) => e.seq)).toEqual(stored.slice(3, 6).map((e) => e.seq));

    const latest = h.events.latestSeq();
    const waiting = poll(`after=${latest}&limit=2&wait=30`);
    await parkedCount(1);
    const live = h.commit(mailEvents(5));
    expect((await waiting).events.map((e) => e.seq)).toEqual(live.slice(0, 2).map((e) => e.seq));
  });

  it('releases 500 parked long-polls, each with the event, when one event arrives', async () => {
    const after = h.events.latestSeq();
    const polls = Array.from({ length: 500 }, () => poll(`after=${after}&wait=30`));
    await parkedCount(500);
    const [event] = h.commit(mailEvents(1));
    const answers = await Promise.all(polls);
    expect(h.api.clients().longPolls).toBe(0);
    expect(answers).toHaveLength(500);
    for (const answer of answers) {
      expect(answer.events.map((e) => e.seq)).toEqual([event?.seq]);
      expect(answer.next_after).toBe(event?.seq);
    }
  }, 30_000);

  it('forgets a parked client that disconnects, and the event still reaches those waiting', async () => {
    const after = h.events.latestSeq();
    const controller = new AbortController();
    const abandoned = h.get(`/v1/events?after=${after}&wait=30`, { signal: controller.signal }).catch((error: unknown) => error);
    const staying = poll(`after=${after}&wait=30`);
    await parkedCount(2);
    controller.abort();
    expect(await abandoned).toBeInstanceOf(Error);
    await parkedCount(1);
    const [event] = h.commit(mailEvents(1));
    expect((await staying).events.map((e) => e.seq)).toEqual([event?.seq]);
    expect(h.errors).toEqual([]);
  });

  it('delivers every event exactly once to a client that keeps polling with next_after', async () => {
    let cursor = 0;
    const seen: number[] = [];
    const loop = (async () => {
      while (seen.length < 40) {
        const body = await poll(`after=${cursor}&wait=10&limit=7`);
        seen.push(...body.events.map((e) => e.seq));
        cursor = body.next_after;
      }
    })();
    for (let i = 0; i < 10; i += 1) {
      h.commit(mailEvents(4));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await loop;
    expect(seen).toEqual(range(1, 40));
  });
});
