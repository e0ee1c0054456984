import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HistoryItem, HistoryResponse } from '../../../../shared/local-api.ts';
import { type Harness, mailEvent, startHarness } from '../harness.ts';

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
});

afterEach(async () => {
  await h.close();
});

async function history(query: string): Promise<HistoryResponse> {
  const res = await h.get(`/v1/history?${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as HistoryResponse;
}

describe('GET /v1/history', () => {
  it('lists newest first and pages backwards with next_before until null', async () => {
    const stored = h.commit(Array.from({ length: 5 }, () => mailEvent()));
    const first = await history('limit=2');
    expect(first.items.map((i) => i.seq)).toEqual([stored[4]?.seq, stored[3]?.seq]);
    expect(first.next_before).toBe(stored[3]?.seq);
    const second = await history(`limit=2&before=${first.next_before}`);
    expect(second.items.map((i) => i.seq)).toEqual([stored[2]?.seq, stored[1]?.seq]);
    const last = await history(`limit=2&before=${second.next_before}`);
    expect(last.items.map((i) => i.seq)).toEqual([stored[0]?.seq]);
    expect(last.next_before).toBeNull();
    const item = first.items[0] as HistoryItem;
    expect(item.account).toBe('work');
    expect(new Date(item.stored_at).toISOString()).toBe(item.stored_at);
    expect(item.event.event_id).toBe(stored[4]?.event_id);
  });

  it('searches the text and filters by account, inbox and type', async () => {
    h.commit([
      mailEvent({ message: { id: 'm1', from: 'alice@example.com', to: 'a@x', subject: 'Invoice overdue', body_text: 'pay' } }),
      mailEvent({ inbox_id: 'inb_b', message: { id: 'm2', from: 'bob@example.com', to: 'a@x', subject: 'Lunch', body_text: 'invoice attached' } }),
      mailEvent({ message: { id: 'm3', from: 'carol@example.com', to: 'a@x', subject: 'Hello', body_text: 'hi' } }),
    ]);
    h.commit([mailEvent({ message: { id: 'm4', from: 'dan@example.com', to: 'a@x', subject: 'Invoice', body_text: '' } })], 'home');
    expect((await history('q=invoice')).items.map((i) => i.event.message?.id)).toEqual(['m4', 'm2', 'm1']);
    expect((await history('q=invoice&account=work')).items.map((i) => i.event.message?.id)).toEqual(['m2', 'm1']);
    expect((await history('q=invoice&inbox_id=inb_b')).items.map((i) => i.event.message?.id)).toEqual(['m2']);
    expect((await history('event_type=inbox.suspended')).items).toEqual([]);
    // Search syntax from a user cannot break the query.
    expect((await history(`q=${encodeURIComponent('"unbalanced (AND OR* -')}`)).items).toEqual([]);
  });
});

describe('GET /v1/events/:seq', () => {
  it('returns one stored event with its metadata, or 404', async () => {
    const [event] = h.commit([mailEvent()], 'home');
    const res = await h.get(`/v1/events/${event?.seq}`);
    expect(res.status).toBe(200);
    const item = (await res.json()) as HistoryItem;
    expect(item).toMatchObject({ seq: event?.seq, account: 'home' });
    expect(item.event.event_id).toBe(event?.event_id);
    expect((await h.get('/v1/events/999')).status).toBe(404);
    expect((await h.get('/v1/events/0')).status).toBe(400);
  });
});
