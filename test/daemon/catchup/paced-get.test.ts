// The paced GET against the demo's real REST API and its 429 fault: it stays within its request window, waits
// out a Retry-After it can afford, gives up on one it cannot, and stops at once when cancelled.
import { afterEach, describe, expect, it } from 'vitest';
import { pacedGet, requestWindow } from '../../../daemon/catchup/paced-get.ts';
import { systemTimers } from '../../../daemon/clock.ts';
import { getAdapter } from '../../../daemon/providers/index.ts';
import { restTarget } from '../../../daemon/providers/rest.ts';
import { SlidingWindow } from '../../../daemon/rate-limit.ts';
import { KEY, startDemo, stopDemos } from '../demo/rest/rest-client.ts';

afterEach(stopDemos);

async function setup(window = requestWindow(1_000), maxRateLimitWaitMs = 5_000) {
  const demo = await startDemo();
  const controller = new AbortController();
  const get = pacedGet({
    target: restTarget(getAdapter('openmail'), { name: 'acct', apiUrl: demo.restUrl }, KEY),
    window,
    timers: systemTimers,
    signal: controller.signal,
    maxRateLimitWaitMs,
  });
  return { demo, get, controller };
}

describe('pacedGet', () => {
  it('keeps to its request window', async () => {
    const { get } = await setup(new SlidingWindow(2, 400));
    const started = Date.now();
    for (let i = 0; i < 3; i++) expect((await get('/v1/inboxes')).ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
  });

  it('waits out a 429 for as long as Retry-After asks, then answers', async () => {
    const { demo, get } = await setup();
    demo.throttleRest(1);
    const started = Date.now();
    const answer = await get('/v1/inboxes');
    expect(answer.ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('answers the 429 when Retry-After asks for longer than it may wait', async () => {
    const { demo, get } = await setup(requestWindow(1_000), 500);
    demo.throttleRest(30);
    const started = Date.now();
    expect(await get('/v1/inboxes')).toMatchObject({ ok: false, failure: { kind: 'rate_limited', retryAfterMs: 30_000 } });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('stops waiting when cancelled', async () => {
    const { demo, get, controller } = await setup();
    demo.throttleRest(30);
    const pending = get('/v1/inboxes');
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    expect(await pending).toMatchObject({ ok: false });
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
