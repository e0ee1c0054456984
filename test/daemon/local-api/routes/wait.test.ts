// `GET /v1/wait`: the one waiter over plain HTTP, as `mailbridge wait` and curl use it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MailEvent } from '../../../../shared/event.ts';
import type { CodeWaitResult, MailWaitResult } from '../../../../shared/wait.ts';
import { waitFor } from '../../../support/wait-for.ts';
import { curl, type Harness, mailEvent, startHarness } from '../harness.ts';

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
});

afterEach(async () => {
  await h.close();
});

function mail(from: string, subject: string, body: string): MailEvent {
  const base = mailEvent();
  return { ...base, message: { ...base.message!, from, subject, body_text: body } };
}

/** Starts a wait and resolves once the engine holds it, with the answer to come. */
async function waiting(query: string): Promise<{ response: Promise<Response> }> {
  const base = h.hub.listenerCount;
  const response = h.get(`/v1/wait?${query}`);
  await waitFor(() => h.hub.listenerCount > base, 5_000, 'the wait to be held');
  return { response };
}

describe('GET /v1/wait', () => {
  it('answers with the first matching mail committed after the call', async () => {
    h.commit([mail('alerts@bank.example', 'Old', 'earlier')]);
    const { response } = await waiting('from=bank.example&timeout_seconds=20');
    h.commit([mail('news@shop.example', 'Sale', 'not it')]);
    const [stored] = h.commit([mail('Bank <alerts@bank.example>', 'Statement ready', 'Your statement is ready.')]);
    const res = await response;
    expect(res.status).toBe(200);
    const body = (await res.json()) as MailWaitResult;
    expect(body).toMatchObject({
      status: 'received',
      next_since: stored!.seq,
      mail: { seq: stored!.seq, account: 'work', from: 'Bank <alerts@bank.example>', subject: 'Statement ready', body_text: 'Your statement is ready.' },
    });
  });

  it('with code=true answers with the code and the mail that carried it, passing over mail without one', async () => {
    const { response } = await waiting('from=github.com&code=true&timeout_seconds=20');
    h.commit([mail('noreply@github.com', 'Welcome to GitHub', 'Thanks for signing up.')]);
    h.commit([mail('noreply@github.com', '[GitHub] Please verify your device', 'Verification code: 482913')]);
    expect((await (await response).json()) as CodeWaitResult).toMatchObject({
      status: 'received',
      code: '482913',
      link: null,
      mail: { subject: '[GitHub] Please verify your device' },
    });
  });

  it('from a seq answers at once; a timeout is a 200 that says where to continue', async () => {
    const [first] = h.commit([mail('a@x.example', 'one', '.')]);
    const at = await (await h.get(`/v1/wait?since=${first!.seq - 1}&timeout_seconds=0`)).json();
    expect(at).toMatchObject({ status: 'received', mail: { seq: first!.seq } });
    const res = await h.get(`/v1/wait?since=${first!.seq}&timeout_seconds=0`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'timeout', message: 'no matching mail in 0 s', waited_seconds: 0, next_since: first!.seq });
  });

  it('ends the wait when the client hangs up', async () => {
    const base = h.hub.listenerCount;
    const controller = new AbortController();
    const response = h.get('/v1/wait?timeout_seconds=600', { signal: controller.signal });
    await waitFor(() => h.hub.listenerCount > base, 5_000, 'the wait');
    controller.abort();
    await expect(response).rejects.toThrow();
    await waitFor(() => h.hub.listenerCount === base, 5_000, 'the wait to end');
  });

  it.each([
    ['timeout_seconds=601', 'timeout_seconds must be an integer from 0 to 600'],
    ['since=yesterday', 'since must be "now", "unseen" or a seq'],
    ['code=yes', 'code must be true or false'],
    ['wait=30', 'unknown query parameter "wait"'],
  ])('refuses %s by name', async (query, message) => {
    const res = await h.get(`/v1/wait?${query}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(message);
  });

  it('works with curl and needs the token', async () => {
    expect((await curl([`${h.api.url}/v1/wait?timeout_seconds=0`])).status).toBe(401);
    const answer = await curl(['-H', `Authorization: Bearer ${h.token}`, `${h.api.url}/v1/wait?timeout_seconds=0`]);
    expect(JSON.parse(answer.body)).toMatchObject({ status: 'timeout' });
  });
});
