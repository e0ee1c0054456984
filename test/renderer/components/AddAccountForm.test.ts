import { describe, expect, it } from 'vitest';
import { outcomeOf } from '../../../renderer/components/AddAccountForm.tsx';

describe('outcomeOf', () => {
  it('tells verified, unverified and refused keys apart', () => {
    expect(outcomeOf({ ok: true, verified: true }, 'openmail')).toEqual({ tone: 'good', text: 'Verified: openmail accepted the key.' });
    expect(outcomeOf({ ok: true, verified: false }, 'agentmail')).toMatchObject({ tone: 'warn', text: expect.stringContaining('unverified') });
    expect(outcomeOf({ ok: false, error: 'openmail rejected this key (401)' }, 'openmail')).toEqual({
      tone: 'bad',
      text: 'openmail rejected this key (401)',
    });
  });
});
