// Agent tokens and the audit log in Chromium against a fake engine that keeps tokens: what a person sees, what each
// action sends, and that a new token is shown once and never again.
import { describe, expect, it } from 'vitest';
import type { AgentTokenInfo, CreateTokenRequest } from '../../../shared/agent-tokens.ts';
import type { AuditEntry } from '../../../shared/audit.ts';
import { AgentTokensSettings } from '../../../renderer/components/AgentTokensSettings.tsx';
import { AuditPanel } from '../../../renderer/components/AuditPanel.tsx';
import { ago } from './fixtures.ts';
import { renderView } from './render-view.tsx';
import { fakeData } from './stub-data.ts';

const TOKEN = 'mbt_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG';

function tokenEngine(initial: AgentTokenInfo[] = []) {
  const tokens = structuredClone(initial);
  return {
    tokens: async () => structuredClone(tokens),
    createToken: async (request: CreateTokenRequest) => {
      if (tokens.some((token) => token.name === request.name)) throw new Error(`a token named "${request.name}" exists already`);
      const info: AgentTokenInfo = {
        name: request.name,
        scopes: request.scope === 'send' ? ['read', 'send'] : ['read'],
        inboxIds: request.inboxIds,
        allowSenders: request.allowSenders,
        createdAt: ago(0),
        lastUsedAt: null,
      };
      tokens.push(info);
      return { ...info, token: TOKEN };
    },
    revokeToken: async (name: string) => {
      const before = tokens.length;
      tokens.splice(0, tokens.length, ...tokens.filter((token) => token.name !== name));
      return tokens.length < before;
    },
  };
}

const READER: AgentTokenInfo = { name: 'reader', scopes: ['read'], inboxIds: ['inb_a'], allowSenders: [], createdAt: ago(60), lastUsedAt: ago(3) };

describe('AgentTokensSettings', () => {
  it('lists tokens with what each may do and see, and revokes one after asking', async () => {
    const fake = fakeData(tokenEngine([READER, { ...READER, name: 'mailer', scopes: ['read', 'send'], inboxIds: [], allowSenders: ['*@bank.example'], lastUsedAt: null }]));
    const screen = await renderView(<AgentTokensSettings data={fake.data} />);
    const items = screen.getByRole('region', { name: 'Agent tokens' }).getByRole('listitem');
    await expect.element(items.nth(0)).toMatchTextContent(/^reader\s*read · inb_a · all senders · used 3 min ago\s*Revoke$/);
    await expect.element(items.nth(1)).toMatchTextContent(/^mailer\s*read \+ send · all inboxes · \*@bank\.example · never used/);

    await items.nth(1).getByRole('button', { name: 'Revoke' }).click();
    await screen.getByRole('group', { name: 'Revoke mailer?' }).getByRole('button', { name: 'Revoke' }).click();
    await expect.element(screen.getByRole('region', { name: 'Agent tokens' }).getByRole('listitem')).toMatchTextContent(/^reader/);
    expect(fake.argsOf('revokeToken')).toEqual([['mailer']]);
  });

  it('creates a token and shows it once', async () => {
    const fake = fakeData(tokenEngine());
    const screen = await renderView(<AgentTokensSettings data={fake.data} />);
    await expect.element(screen.getByText('No agent tokens yet.')).toBeVisible();
    const form = screen.getByRole('form', { name: 'Create an agent token' });
    await form.getByRole('textbox', { name: 'Name' }).fill('mail-agent');
    await form.getByRole('combobox', { name: 'May' }).selectOptions('send');
    await form.getByRole('textbox', { name: 'Inbox ids' }).fill('inb_a inb_b');
    await form.getByRole('textbox', { name: 'Senders' }).fill('*@github.com, alerts@bank.example');
    await form.getByRole('button', { name: 'Create token' }).click();

    expect(fake.argsOf('createToken')).toEqual([[{ name: 'mail-agent', scope: 'send', inboxIds: ['inb_a', 'inb_b'], allowSenders: ['*@github.com', 'alerts@bank.example'] }]]);
    const shown = screen.getByRole('region', { name: 'Agent token mail-agent' });
    await expect.element(shown).toMatchTextContent(new RegExp(`Copy it now: it will not be shown again\\..*${TOKEN}`));
    await expect.element(shown).toHaveFocus();
    await expect.element(screen.getByRole('region', { name: 'Agent tokens' }).getByRole('listitem')).toMatchTextContent(
      /^mail-agent\s*read \+ send · inb_a, inb_b · \*@github\.com, alerts@bank\.example · never used/,
    );
    await expect.element(form.getByRole('textbox', { name: 'Name' })).toHaveValue('');

    await shown.getByRole('button', { name: 'I have stored it' }).click();
    await expect.element(shown).not.toBeInTheDocument();
    expect(document.body.textContent).not.toContain(TOKEN);
  });

  it('says why a token was not made, and keeps the form', async () => {
    const fake = fakeData(tokenEngine([READER]));
    const screen = await renderView(<AgentTokensSettings data={fake.data} />);
    const form = screen.getByRole('form', { name: 'Create an agent token' });
    await form.getByRole('textbox', { name: 'Name' }).fill('reader');
    await form.getByRole('button', { name: 'Create token' }).click();
    await expect.element(form.getByRole('alert')).toMatchTextContent('a token named "reader" exists already');
    await expect.element(form.getByRole('textbox', { name: 'Name' })).toHaveValue('reader');
  });
});

describe('AuditPanel', () => {
  const entry = (id: number, change: Partial<AuditEntry> = {}): AuditEntry => ({
    id,
    at: ago(id),
    token: 'mailer',
    via: 'proxy',
    account: 'work',
    method: 'POST',
    path: '/v1/inboxes/inb_a/send',
    inboxId: 'inb_a',
    status: 200,
    idempotencyKey: `mb-key-${id}`,
    note: null,
    ...change,
  });

  it('shows what agents did, refusals marked, and loads again on request', async () => {
    let entries = [entry(1, { status: 403, note: 'the token "mailer" is limited to the inboxes inb_a' }), entry(2)];
    const fake = fakeData({ audit: async () => ({ entries, next_before: null }) });
    const screen = await renderView(<AuditPanel data={fake.data} />);
    const rows = screen.getByRole('region', { name: 'Agent activity' }).getByRole('row');
    await expect.element(rows.nth(1)).toMatchTextContent(/1 min ago\s*mailer\s*POST work:\/v1\/inboxes\/inb_a\/send\s*403\s*the token "mailer" is limited/);
    await expect.element(rows.nth(2)).toMatchTextContent(/mailer\s*POST work:\/v1\/inboxes\/inb_a\/send\s*200\s*key mb-key-2/);
    expect(rows.nth(1).getByRole('cell').nth(2).element().className).toContain('tone-bad-text');
    expect(fake.argsOf('audit')).toEqual([[{ limit: 50 }]]);

    entries = [];
    await screen.getByRole('button', { name: 'Refresh' }).click();
    await expect.element(screen.getByText('No agent has called a provider through Mailbridge yet.')).toBeVisible();
  });
});
