import { describe, expect, it } from 'vitest';
import { bareAddress, fingerprintKey, messageIdKey } from '../../../daemon/providers/message-key.ts';
import type { MailEvent } from '../../../shared/event.ts';

const mail = (message: Partial<NonNullable<MailEvent['message']>> = {}, event: Partial<MailEvent> = {}): MailEvent => ({
  event: 'message.received',
  event_id: 'evt_1',
  occurred_at: '2026-02-24T10:05:00.000Z',
  inbox_id: 'inb_1',
  thread_id: 'thr_1',
  message: { id: 'msg_1', from: 'dana@x.example', to: 'a@b', subject: 'Hello', received_at: '2026-02-24T10:05:00.123Z', ...message },
  ...event,
});

describe('messageIdKey', () => {
  it("is the provider's message id, and nothing for an event without a message", () => {
    expect(messageIdKey(mail())).toBe('id:msg_1');
    expect(messageIdKey(mail({}, { message: undefined }))).toBeNull();
    expect(messageIdKey(mail({ id: '' }))).toBeNull();
  });

  it('hashes an id too long to keep in an index', () => {
    const long = 'x'.repeat(5_000);
    expect(messageIdKey(mail({ id: long }))).toMatch(/^id#[0-9a-f]{32}$/);
    expect(messageIdKey(mail({ id: long }))).not.toBe(messageIdKey(mail({ id: `${long}y` })));
  });
});

describe('fingerprintKey', () => {
  it('is the same for the same inbox, thread, sender, subject and time, however they are written', () => {
    const key = fingerprintKey(mail());
    expect(key).toMatch(/^fp:[0-9a-f]{32}$/);
    expect(fingerprintKey(mail({ from: 'Dana Reyes <DANA@x.example>', id: 'other', received_at: '2026-02-24T11:05:00.123+01:00' }))).toBe(key);
  });

  it.each([
    ['inbox', mail({}, { inbox_id: 'inb_2' })],
    ['thread', mail({}, { thread_id: 'thr_2' })],
    ['sender', mail({ from: 'eve@x.example' })],
    ['subject', mail({ subject: 'Hello!' })],
    ['millisecond', mail({ received_at: '2026-02-24T10:05:00.124Z' })],
  ])('differs in another %s', (_what, other) => {
    expect(fingerprintKey(other)).not.toBe(fingerprintKey(mail()));
  });

  it('is nothing without a readable received time', () => {
    expect(fingerprintKey(mail({ received_at: undefined }))).toBeNull();
    expect(fingerprintKey(mail({ received_at: 'yesterday' }))).toBeNull();
    expect(fingerprintKey(mail({}, { message: undefined }))).toBeNull();
  });
});

describe('bareAddress', () => {
  it('takes the address out of a display form and lowercases it', () => {
    expect(bareAddress('Dana Reyes <Dana@X.example>')).toBe('dana@x.example');
    expect(bareAddress('  dana@x.example ')).toBe('dana@x.example');
  });
});
