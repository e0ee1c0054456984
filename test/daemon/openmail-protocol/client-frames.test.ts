import { describe, expect, it } from 'vitest';
import { clientBudget, parseClientFrame, readClientMessage } from '../../../daemon/openmail-protocol/client-frames.ts';
import { RATE_LIMITED } from '../../../daemon/openmail-protocol/server-frames.ts';

const text = (value: unknown): Buffer => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

describe('readClientMessage', () => {
  it('counts every message against the budget, refused ones too, and ends the connection on the 31st in 10 s', () => {
    const budget = clientBudget();
    const inputs = [text({ type: 'ping' }), text('{not json'), Buffer.from([1, 2, 3])];
    for (let i = 0; i < 30; i++) {
      const input = inputs[i % 3]!;
      expect(readClientMessage(budget, input, input === inputs[2], 1_000 + i).kind).not.toBe('over_budget');
    }
    expect(readClientMessage(budget, text({ type: 'ping' }), false, 1_030)).toEqual({ kind: 'over_budget', closing: RATE_LIMITED });
    expect(readClientMessage(budget, text({ type: 'ping' }), false, 11_000)).toEqual({ kind: 'frame', frame: { type: 'ping' } });
  });

  it('refuses binary frames and reads a text frame that arrives in fragments', () => {
    const budget = clientBudget();
    expect(readClientMessage(budget, text({ type: 'ping' }), true, 0)).toEqual({
      kind: 'refused',
      error: { type: 'error', message: 'Binary frames are not supported' },
    });
    expect(readClientMessage(budget, [Buffer.from('{"type":'), Buffer.from('"ping"}')], false, 0)).toEqual({
      kind: 'frame',
      frame: { type: 'ping' },
    });
  });
});

describe('parseClientFrame', () => {
  it('reads a subscribe: absent or null filters mean all, duplicates are dropped', () => {
    expect(parseClientFrame('{"type":"subscribe"}')).toEqual({
      ok: true,
      frame: { type: 'subscribe', inboxIds: [], eventTypes: [], lastEventId: null },
    });
    const frame = { type: 'subscribe', inbox_ids: ['a', 'a', 'b'], event_types: null, last_event_id: 'evt_1' };
    expect(parseClientFrame(JSON.stringify(frame))).toEqual({
      ok: true,
      frame: { type: 'subscribe', inboxIds: ['a', 'b'], eventTypes: [], lastEventId: 'evt_1' },
    });
  });

  it.each([
    ['an empty id', { type: 'subscribe', inbox_ids: [''] }],
    ['an id longer than 256 characters', { type: 'subscribe', event_types: ['x'.repeat(257)] }],
    ['more than 1000 ids', { type: 'unsubscribe', inbox_ids: Array.from({ length: 1001 }, (_, i) => `inb_${i}`) }],
    ['a non-string id', { type: 'unsubscribe', inbox_ids: [1] }],
    ['an empty cursor', { type: 'subscribe', last_event_id: '' }],
  ])('refuses %s', (_what, frame) => {
    const parsed = parseClientFrame(JSON.stringify(frame));
    expect(parsed).toEqual({ ok: false, error: { type: 'error', message: expect.stringMatching(/^Invalid (un)?subscribe: /) } });
  });

  it.each([
    ['[]', 'Missing message type'],
    ['"subscribe"', 'Missing message type'],
    ['{"type":5}', 'Missing message type'],
    ['{"type":"ack","event_id":"evt_1"}', null],
    [`{"type":"${'t'.repeat(100)}"}`, `Unknown message type: ${'t'.repeat(64)}`],
  ])('reads %s', (raw, error) => {
    const expected = error === null ? { ok: true, frame: { type: 'ack' } } : { ok: false, error: { type: 'error', message: error } };
    expect(parseClientFrame(raw)).toEqual(expected);
  });
});
