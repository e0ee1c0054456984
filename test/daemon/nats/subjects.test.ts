import { describe, expect, it } from 'vitest';
import { eventSubject, messageId, NO_INBOX, patternCovers, streamSubject, subjectToken } from '../../../daemon/nats/subjects.ts';

describe('subject tokens', () => {
  it('keeps letters, digits, "-" and "_" as they are', () => {
    expect(subjectToken('inb_9f2-Ab')).toBe('inb_9f2-Ab');
  });

  it('turns dots, spaces and wildcards into "_", so no value adds a token or a wildcard', () => {
    expect(subjectToken('message.received')).toBe('message_received');
    expect(subjectToken('my inbox')).toBe('my_inbox');
    expect(subjectToken('a*b>c')).toBe('a_b_c');
    expect(subjectToken('tab\there\nnewline')).toBe('tab_here_newline');
    expect(subjectToken('süß')).toBe('s__');
  });

  it('names an empty or absent inbox with one token of its own', () => {
    expect(subjectToken('')).toBe(NO_INBOX);
    expect(subjectToken(null)).toBe(NO_INBOX);
    expect(subjectToken(undefined)).toBe(NO_INBOX);
  });

  it('caps a very long value, since the broker limits a subject line', () => {
    expect(subjectToken('x'.repeat(1000))).toHaveLength(128);
  });
});

describe('event subjects', () => {
  it('are <prefix>.<account>.<inbox>.<event type>, four parts after any prefix', () => {
    expect(eventSubject('mailbridge', 'work', 'inb_1', 'message.received')).toBe('mailbridge.work.inb_1.message_received');
    expect(eventSubject('acme.mail', 'team.a', null, 'message.bounced')).toBe('acme.mail.team_a._.message_bounced');
    expect(eventSubject('mailbridge', 'w', '*', '>').split('.')).toEqual(['mailbridge', 'w', '_', '_']);
  });

  it('name a message by the account and the mail (its type and key), else the event id: the same on every engine', () => {
    expect(messageId('work', { eventId: 'evt_123', eventType: 'message.received', messageKey: null })).toBe('work:evt_123');
    // A known mail is named by its key, so a push and a catch-up of it are one message on any engine.
    const pushed = messageId('work', { eventId: 'evt_123', eventType: 'message.received', messageKey: 'id:msg_9' });
    const caughtUp = messageId('work', { eventId: 'evt_catchup_x', eventType: 'message.received', messageKey: 'id:msg_9' });
    expect(pushed).toBe('work:message.received:id:msg_9');
    expect(caughtUp).toBe(pushed);
    expect(messageId('work', { eventId: 'evt_124', eventType: 'message.delivered', messageKey: 'id:msg_9' })).not.toBe(pushed);
  });
});

describe('which stream subjects capture a prefix', () => {
  it('takes the prefix with ">" and anything wider', () => {
    expect(streamSubject('mailbridge')).toBe('mailbridge.>');
    expect(patternCovers('mailbridge.>', 'mailbridge')).toBe(true);
    expect(patternCovers('>', 'mailbridge')).toBe(true);
    expect(patternCovers('*.>', 'acme.mail')).toBe(true);
    expect(patternCovers('mailbridge.*.*.*', 'mailbridge')).toBe(true);
  });

  it('refuses patterns that miss some account, inbox or event type, or another prefix', () => {
    expect(patternCovers('mailbridge.work.>', 'mailbridge')).toBe(false);
    expect(patternCovers('mailbridge.*.*', 'mailbridge')).toBe(false);
    expect(patternCovers('mailbridge.*.*.*.*', 'mailbridge')).toBe(false);
    expect(patternCovers('other.>', 'mailbridge')).toBe(false);
    expect(patternCovers('mailbridge', 'mailbridge')).toBe(false);
  });
});
