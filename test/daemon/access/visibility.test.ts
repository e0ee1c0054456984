import { describe, expect, it } from 'vitest';
import type { MailEvent } from '../../../shared/event.ts';
import { OWNER, type Principal } from '../../../shared/principal.ts';
import { canSee, hasScope, senderAllowed } from '../../../daemon/access/visibility.ts';

const agent = (overrides: Partial<Principal> = {}): Principal => ({
  name: 'agent',
  owner: false,
  scopes: ['read'],
  inboxIds: [],
  allowSenders: [],
  ...overrides,
});

const mail = (inbox: string | null, from?: string): MailEvent => ({
  event: 'message.received',
  event_id: 'evt_1',
  occurred_at: '2026-11-30T10:00:00Z',
  inbox_id: inbox,
  ...(from === undefined ? {} : { message: { id: 'msg_1', from, to: 'agent@openmail.sh', subject: 'Hi' } }),
});

describe('what a principal sees', () => {
  it('shows the owner everything', () => {
    expect(canSee(OWNER, mail(null))).toBe(true);
    expect(canSee(OWNER, mail('inb_a', 'anyone@example.com'))).toBe(true);
    expect(hasScope(OWNER, 'send')).toBe(true);
  });

  it('narrows to inboxes, and hides inbox-less notices from a narrowed principal', () => {
    const narrowed = agent({ inboxIds: ['inb_a'] });
    expect(canSee(narrowed, mail('inb_a', 'x@example.com'))).toBe(true);
    expect(canSee(narrowed, mail('inb_b', 'x@example.com'))).toBe(false);
    expect(canSee(narrowed, mail(null))).toBe(false);
    expect(canSee(agent(), mail(null))).toBe(true);
  });

  it('narrows to senders by address, never by display name', () => {
    const bank = agent({ allowSenders: ['alerts@bank.example', '*@github.com'] });
    expect(canSee(bank, mail('inb_a', 'Alerts@Bank.example'))).toBe(true);
    expect(canSee(bank, mail('inb_a', 'GitHub <noreply@github.com>'))).toBe(true);
    expect(canSee(bank, mail('inb_a', '"alerts@bank.example" <phish@evil.example>'))).toBe(false);
    expect(canSee(bank, mail('inb_a', 'noreply@github.com.evil.example'))).toBe(false);
    expect(canSee(bank, mail('inb_a'))).toBe(false);
  });

  it('treats pattern characters other than * literally', () => {
    expect(senderAllowed(['a.b@example.com'], 'axb@example.com')).toBe(false);
    expect(senderAllowed(['a+b@example.com'], 'a+b@example.com')).toBe(true);
    expect(hasScope(agent(), 'send')).toBe(false);
  });
});
