import { describe, expect, it } from 'vitest';
import { describeState } from '../../../renderer/format/connection-state.ts';

describe('describeState', () => {
  it('gives every state a word and a tone', () => {
    expect(describeState('live')).toEqual({ label: 'Live', tone: 'good' });
    expect(describeState('backoff')).toEqual({ label: 'Reconnecting', tone: 'warn' });
    expect(describeState('needs_key').tone).toBe('bad');
  });
});
