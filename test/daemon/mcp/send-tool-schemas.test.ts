// The acting tools' inputs, checked before anything reaches the proxy: nothing an agent passes can add a mail header,
// and an account is named by the same rule as everywhere else (shared/names.ts).
import * as z from 'zod/mini';
import { describe, expect, it } from 'vitest';
import { sendEmailInput } from '../../../daemon/mcp/send-tool-schemas.ts';

const mail = { to: ['ana@example.com'], subject: 'Hello', text: 'Hi Ana' };

function problem(input: unknown): string | null {
  const parsed = z.safeParse(sendEmailInput, input);
  return parsed.success ? null : parsed.error.issues.map((issue) => issue.message).join('; ');
}

describe('send_email input', () => {
  it('takes a plain mail, with or without an account name', () => {
    expect(problem(mail)).toBeNull();
    expect(problem({ ...mail, account: 'work.eu-1' })).toBeNull();
  });

  it('refuses an account name outside the one name rule, saying what the rule is', () => {
    expect(problem({ ...mail, account: 'work\r\nBcc: x@y.example' })).toMatch(/account must be 1-64 letters, digits/);
    expect(problem({ ...mail, account: '' })).toMatch(/account must be/);
    expect(problem({ ...mail, account: 'a'.repeat(65) })).toMatch(/account must be/);
  });

  it('refuses a subject that spans lines and an address with a name', () => {
    expect(problem({ ...mail, subject: 'Hi\r\nBcc: x@y.example' })).toMatch(/subject must be one line/);
    expect(problem({ ...mail, to: ['Ana <ana@example.com>'] })).toMatch(/to must be email addresses/);
  });
});
