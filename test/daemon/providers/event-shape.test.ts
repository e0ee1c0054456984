import { describe, expect, it } from 'vitest';
import { MAX_ID_LENGTH, joinAddresses, parseMailEvent } from '../../../daemon/providers/event-shape.ts';

const valid = () => ({
  event: 'message.received',
  event_id: 'evt_1',
  occurred_at: '2026-02-24T10:05:00.000Z',
  inbox_id: 'inb_1',
  message: {
    id: 'msg_1',
    from: 'a@example.com',
    to: 'b@example.com',
    cc: ['c@example.com'],
    subject: 'Hi',
    attachments: [{ filename: 'a.pdf', contentType: 'application/pdf', sizeBytes: 10 }],
  },
});

const withMessage = (fields: Record<string, unknown>) => ({ ...valid(), message: { ...valid().message, ...fields } });

function reasonFor(value: unknown): string {
  const result = parseMailEvent(value);
  return result.ok ? 'accepted' : result.reason;
}

describe('parseMailEvent', () => {
  it('accepts a complete event and returns it unchanged', () => {
    const event = valid();
    expect(parseMailEvent(event)).toEqual({ ok: true, event });
  });

  it('accepts a null inbox and an event without a message', () => {
    const { message: _message, ...bare } = valid();
    expect(reasonFor({ ...bare, inbox_id: null })).toBe('accepted');
  });

  it('passes unknown keys through', () => {
    const event = { ...valid(), pod_id: 'pod_1', bounce: { type: 'hard' } };
    const result = parseMailEvent(event);
    expect(result.ok && result.event.bounce).toEqual({ type: 'hard' });
  });

  it.each([
    ['a string', 'message.received', 'event is not an object'],
    ['null', null, 'event is not an object'],
    ['an array', [valid()], 'event is not an object'],
    ['a missing event', { ...valid(), event: undefined }, 'event is missing'],
    ['an empty event', { ...valid(), event: '' }, 'event must be'],
    ['an over-long event_id', { ...valid(), event_id: 'e'.repeat(MAX_ID_LENGTH + 1) }, 'event_id must be'],
    ['a numeric event_id', { ...valid(), event_id: 7 }, 'event_id must be'],
    ['an unparseable occurred_at', { ...valid(), occurred_at: 'yesterday-ish' }, 'occurred_at must be'],
    ['a missing inbox_id', { ...valid(), inbox_id: undefined }, 'inbox_id is missing'],
    ['a numeric inbox_id', { ...valid(), inbox_id: 5 }, 'inbox_id must be'],
    ['a string attempt', { ...valid(), attempt: '1' }, 'attempt must be'],
    ['a non-boolean test flag', { ...valid(), test: 'yes' }, 'test must be'],
    ['a string message', { ...valid(), message: 'hi' }, 'message must be an object'],
    ['a message without from', withMessage({ from: undefined }), 'message.from is missing'],
    ['a list of recipients', withMessage({ to: ['b@example.com'] }), 'message.to must be'],
    ['a cc string', withMessage({ cc: 'c@example.com' }), 'message.cc must be'],
    ['a cc of numbers', withMessage({ cc: [1] }), 'message.cc must be'],
    ['attachments not a list', withMessage({ attachments: {} }), 'message.attachments must be'],
    ['an attachment not an object', withMessage({ attachments: [null] }), 'message.attachments[0] must be'],
    [
      'an attachment without size',
      withMessage({ attachments: [{ filename: 'a', contentType: 'b' }] }),
      'message.attachments[0].sizeBytes is missing',
    ],
    [
      'a negative attachment size',
      withMessage({ attachments: [{ filename: 'a', contentType: 'b', sizeBytes: -1 }] }),
      'message.attachments[0].sizeBytes must be',
    ],
  ])('rejects %s, naming the field', (_what, value, reason) => {
    expect(reasonFor(value)).toContain(reason);
  });
});

describe('joinAddresses', () => {
  it('joins a list of addresses the way OpenMail writes one', () => {
    expect(joinAddresses(['a@example.com', 'B <b@example.com>'])).toBe('a@example.com, B <b@example.com>');
    expect(joinAddresses([])).toBe('');
  });

  it('leaves anything else for the shape check', () => {
    expect(joinAddresses('a@example.com')).toBe('a@example.com');
    expect(joinAddresses([1, 2])).toEqual([1, 2]);
  });
});
