import { describe, expect, it } from 'vitest';
import { PROVIDER_SEND_LIMITS, SendLimiter, sendLimitedError } from '../../../daemon/proxy/send-limits.ts';

const T0 = 1_700_000_000_000;

describe('SendLimiter', () => {
  it("holds OpenMail's 10 sends a minute per inbox, and says when the next slot frees", () => {
    const limiter = new SendLimiter();
    for (let i = 0; i < 10; i += 1) expect(limiter.take('openmail', 'work', 'inb_a', `key-${i}`, T0 + i * 1000)).toBe(0);
    expect(limiter.take('openmail', 'work', 'inb_a', 'key-10', T0 + 30_000)).toBe(30_000);
    expect(limiter.take('openmail', 'work', 'inb_b', 'key-10', T0 + 30_000)).toBe(0);
    expect(limiter.take('openmail', 'home', 'inb_a', 'key-10', T0 + 30_000)).toBe(0);
    expect(limiter.take('openmail', 'work', 'inb_a', 'key-10', T0 + 60_000)).toBe(0);
  });

  it('lets a retry with a key already sent in the window through without a new slot', () => {
    const limiter = new SendLimiter({ ...PROVIDER_SEND_LIMITS, openmail: { sends: 1, perMs: 60_000 } });
    expect(limiter.take('openmail', 'work', 'inb_a', 'once', T0)).toBe(0);
    expect(limiter.take('openmail', 'work', 'inb_a', 'once', T0 + 5_000)).toBe(0);
    expect(limiter.take('openmail', 'work', 'inb_a', 'other', T0 + 5_000)).toBe(55_000);
  });

  it('has no limit where the provider documents none', () => {
    const limiter = new SendLimiter();
    for (let i = 0; i < 50; i += 1) expect(limiter.take('agentmail', 'work', 'inb_a', `key-${i}`, T0)).toBe(0);
  });

  it('says what the limit is, when to come back, and that nothing was sent', () => {
    const error = sendLimitedError('openmail', { sends: 10, perMs: 60_000 }, 'inb_a', 41_200);
    expect(error).toMatchObject({ code: 'too_many_requests', status: 429, retryAfterSeconds: 42 });
    expect(error.message).toBe('openmail allows 10 sends a minute per inbox: inb_a may send again in 42 s (Retry-After). Nothing was sent.');
  });
});
