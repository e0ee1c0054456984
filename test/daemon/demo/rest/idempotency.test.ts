import { describe, expect, it } from 'vitest';
import { IDEMPOTENCY_TTL_MS, IdempotencyKeys } from '../../../../daemon/demo/rest/idempotency.ts';

describe('IdempotencyKeys', () => {
  it('replays the first answer for the same key and body, and refuses another body', () => {
    const keys = new IdempotencyKeys<string>(() => 0);
    const body = Buffer.from('{"to":"a@b.example"}');
    expect(keys.check('k1', body)).toEqual({ kind: 'new' });
    keys.remember('k1', body, 'first answer');
    expect(keys.check('k1', Buffer.from(body))).toEqual({ kind: 'replay', answer: 'first answer' });
    expect(keys.check('k1', Buffer.from('{"to":"c@d.example"}'))).toEqual({ kind: 'conflict' });
    expect(keys.check('k2', body)).toEqual({ kind: 'new' });
  });

  it('forgets a key after 24 hours', () => {
    let now = 0;
    const keys = new IdempotencyKeys<string>(() => now);
    keys.remember('k1', Buffer.from('a'), 'answer');
    now = IDEMPOTENCY_TTL_MS - 1;
    expect(keys.check('k1', Buffer.from('b')).kind).toBe('conflict');
    now = IDEMPOTENCY_TTL_MS;
    expect(keys.check('k1', Buffer.from('b'))).toEqual({ kind: 'new' });
  });
});
