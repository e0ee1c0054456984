import { describe, expect, it } from 'vitest';
import { bodySnippet, senderName, subjectLine, truncate } from '../../electron/mail-text.ts';
import { mail } from './fixtures.ts';

describe('mail text', () => {
  it('takes the display name of a sender, else the address, else the inbox', () => {
    expect(senderName(mail(1, { from: '"Jane Doe" <jane@example.com>' }))).toBe('Jane Doe');
    expect(senderName(mail(1, { from: 'Jane Doe <jane@example.com>' }))).toBe('Jane Doe');
    expect(senderName(mail(1, { from: '<jane@example.com>' }))).toBe('jane@example.com');
    expect(senderName(mail(1, { from: 'jane@example.com' }))).toBe('jane@example.com');
    expect(senderName(mail(1, { from: '' }))).toBe('inb_main');
    expect(senderName(mail(1, { from: '', inbox: null }))).toBe('Unknown sender');
  });

  it('makes one clean line of subjects and bodies, without control or bidi characters', () => {
    expect(subjectLine(mail(1, { subject: 'Invoice\r\n\t#12\u202e' }))).toBe('Invoice #12');
    expect(subjectLine(mail(1, { subject: '   ' }))).toBe('(no subject)');
    expect(bodySnippet(mail(1, { body: 'Hello,\n\nsee   attached.' }), 100)).toBe('Hello, see attached.');
  });

  it('cuts at a word when it can, and counts characters rather than UTF-16 units', () => {
    expect(truncate('short', 10)).toBe('short');
    expect(truncate('the quick brown fox jumps', 12)).toBe('the quick…');
    expect(truncate('x'.repeat(30), 10)).toBe(`${'x'.repeat(9)}…`);
    expect([...truncate('📬'.repeat(20), 10)]).toHaveLength(10);
  });
});
