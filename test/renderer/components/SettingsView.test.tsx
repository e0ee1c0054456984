// The Settings tab in Chromium against a fake engine that keeps settings: what a person sees, what each change
// sends, and that the window then shows what the engine stored.
import { describe, expect, it } from 'vitest';
import { userEvent } from 'vitest/browser';
import type { AddAccountRequest, AddForwardTargetRequest, ControlApi, SettingsPatch } from '../../../shared/control.ts';
import { completeDelivery, DEFAULT_FORWARD_DELIVERY } from '../../../shared/forward-delivery.ts';
import type { Settings } from '../../../shared/settings.ts';
import { SettingsView } from '../../../renderer/components/SettingsView.tsx';
import { settings as settingsWith, upstream } from './fixtures.ts';
import { renderView } from './render-view.tsx';
import { fakeData } from './stub-data.ts';

/** An engine that stores settings as the real one does: the answer to each change is what it now holds. */
function engine(initial: Settings, more: Partial<ControlApi> = {}): Partial<ControlApi> & { stored: Settings } {
  const stored = structuredClone(initial);
  return {
    stored,
    settings: async () => structuredClone(stored),
    updateSettings: async (patch: SettingsPatch) => structuredClone(Object.assign(stored, patch)),
    removeAccount: async (name: string) => {
      stored.accounts = stored.accounts.filter((account) => account.name !== name);
    },
    addAccount: async ({ apiKey: _key, ...account }: AddAccountRequest) => {
      stored.accounts.push({ ...account, ...(account.url === undefined ? {} : { url: account.url }) });
      return { ok: true, verified: true };
    },
    addForwardTarget: async (request: AddForwardTargetRequest) => {
      const target = { id: `fwd_${stored.forwardTargets.length + 1}`, ...request, delivery: completeDelivery(request.delivery) };
      stored.forwardTargets.push(target);
      return { target, secret: 'whsec_0123456789abcdef' };
    },
    removeForwardTarget: async (id: string) => {
      stored.forwardTargets = stored.forwardTargets.filter((target) => target.id !== id);
    },
    tokens: async () => [],
    audit: async () => ({ entries: [], next_before: null }),
    ...more,
  };
}

const WORK = { name: 'work', provider: 'openmail' as const, inboxIds: ['inb_a', 'inb_b'], eventTypes: [] };

describe('SettingsView', () => {
  it('shows what failed to load, and loads again on request', async () => {
    let fail = true;
    const fake = fakeData({
      settings: async () => {
        if (fail) throw new Error('The engine did not answer');
        return settingsWith();
      },
    });
    const screen = await renderView(<SettingsView data={fake.data} live={[]} />);
    await expect.element(screen.getByRole('alert')).toMatchTextContent('The engine did not answer');
    fail = false;
    await screen.getByRole('button', { name: 'Try again' }).click();
    await expect.element(screen.getByRole('heading', { name: 'Settings' })).toBeVisible();
  });

  it('lists accounts with their live state, and removes one after asking', async () => {
    const side = { name: 'side', provider: 'agentmail' as const, url: 'wss://ws.example.test', inboxIds: [], eventTypes: ['message.received'] };
    const fake = fakeData(engine(settingsWith({ accounts: [WORK, side] })));
    const live = [upstream('work'), upstream('side', { provider: 'agentmail', state: 'needs_key' })];
    const screen = await renderView(<SettingsView data={fake.data} live={live} />);
    const accounts = screen.getByRole('region', { name: 'Accounts' }).getByRole('listitem');

    await expect.element(accounts.nth(0)).toMatchTextContent(/^work\s*openmail · inb_a, inb_b · all events\s*Live\s*Remove$/);
    await expect.element(accounts.nth(1)).toMatchTextContent(/^side\s*agentmail · wss:\/\/ws\.example\.test · all inboxes · message\.received\s*Needs API key/);

    await accounts.nth(1).getByRole('button', { name: 'Remove' }).click();
    const confirm = screen.getByRole('group', { name: 'Remove side and its key?' });
    await confirm.getByRole('button', { name: 'Remove' }).click();
    await expect.element(screen.getByRole('region', { name: 'Accounts' }).getByRole('listitem')).toMatchTextContent(/^work/);
    expect(fake.argsOf('removeAccount')).toEqual([['side']]);
  });

  it('adds an account: the key goes to the engine once and leaves the form at once', async () => {
    const fake = fakeData(engine(settingsWith()));
    const screen = await renderView(<SettingsView data={fake.data} live={[]} />);
    await expect.element(screen.getByText('No accounts yet. Add one below: its API key goes to the system keychain.')).toBeVisible();
    const form = screen.getByRole('form', { name: 'Add an account' });

    const name = form.getByRole('textbox', { name: 'Name' });
    await name.fill('my account');
    await form.getByRole('combobox', { name: 'Provider' }).selectOptions('myagentmail');
    await form.getByRole('textbox', { name: 'Inbox ids' }).fill('inb_1, inb_2');
    await form.getByLabelText('API key').fill('sk_live_secret');
    await form.getByRole('button', { name: 'Add account' }).click();
    // A name the keychain could not take is refused by the browser itself, before any call.
    expect(name.element().matches(':invalid')).toBe(true);
    expect(fake.argsOf('addAccount')).toEqual([]);

    await name.fill('personal');
    await form.getByRole('button', { name: 'Add account' }).click();

    await expect.element(form.getByRole('status')).toHaveTextContent('Verified: myagentmail accepted the key.');
    expect(fake.argsOf('addAccount')).toEqual([
      [{ name: 'personal', provider: 'myagentmail', url: undefined, inboxIds: ['inb_1', 'inb_2'], eventTypes: [], apiKey: 'sk_live_secret' }],
    ]);
    await expect.element(form.getByLabelText('API key')).toHaveValue('');
    await expect.element(name).toHaveValue('');
    await expect.element(screen.getByRole('region', { name: 'Accounts' }).getByRole('listitem')).toMatchTextContent(/^personal\s*myagentmail · inb_1, inb_2/);
    expect(document.body.textContent).not.toContain('sk_live_secret');
  });

  it('adds an account with its own REST API URL, and lets the browser refuse one that is not http(s)', async () => {
    const fake = fakeData(engine(settingsWith()));
    const screen = await renderView(<SettingsView data={fake.data} live={[]} />);
    const form = screen.getByRole('form', { name: 'Add an account' });
    await form.getByRole('textbox', { name: 'Name' }).fill('staging');
    const apiUrl = form.getByRole('textbox', { name: /^REST API URL/ });
    await apiUrl.fill('ws://127.0.0.1:9000');
    await form.getByLabelText('API key').fill('sk_test_key');
    await form.getByRole('button', { name: 'Add account' }).click();
    expect(apiUrl.element().matches(':invalid')).toBe(true);
    expect(fake.argsOf('addAccount')).toEqual([]);

    await apiUrl.fill('http://127.0.0.1:9000/');
    await form.getByRole('button', { name: 'Add account' }).click();
    await expect.element(form.getByRole('status')).toHaveTextContent('Verified: openmail accepted the key.');
    expect(fake.argsOf('addAccount')).toStrictEqual([
      [{ name: 'staging', provider: 'openmail', url: undefined, apiUrl: 'http://127.0.0.1:9000/', inboxIds: [], eventTypes: [], apiKey: 'sk_test_key' }],
    ]);
    await expect.element(apiUrl).toHaveValue('');
    await expect
      .element(screen.getByRole('region', { name: 'Accounts' }).getByRole('listitem'))
      .toMatchTextContent(/^staging\s*openmail · REST http:\/\/127\.0\.0\.1:9000\/ · all inboxes/);
  });

  it('says why a key was refused, and keeps the rest of the form', async () => {
    const fake = fakeData(engine(settingsWith(), { addAccount: async () => ({ ok: false, error: 'openmail rejected this key (401)' }) }));
    const screen = await renderView(<SettingsView data={fake.data} live={[]} />);
    const form = screen.getByRole('form', { name: 'Add an account' });
    await form.getByRole('textbox', { name: 'Name' }).fill('work');
    await form.getByLabelText('API key').fill('sk_wrong');
    await form.getByRole('button', { name: 'Add account' }).click();

    await expect.element(form.getByRole('status')).toHaveTextContent('openmail rejected this key (401)');
    await expect.element(form.getByRole('textbox', { name: 'Name' })).toHaveValue('work');
    await expect.element(form.getByLabelText('API key')).toHaveValue('');
  });

  it('adds a forward target and shows its secret once', async () => {
    const fake = fakeData(engine(settingsWith()));
    const screen = await renderView(<SettingsView data={fake.data} live={[]} />);
    const form = screen.getByRole('form', { name: 'Add a forward target' });

    await form.getByRole('textbox', { name: 'Target URL' }).fill('http://127.0.0.1:8787/webhook');
    await form.getByRole('textbox', { name: 'Event types' }).fill('message.received message.bounced');
    await form.getByRole('button', { name: 'Add target' }).click();

    const secret = screen.getByRole('region', { name: 'Signing secret for http://127.0.0.1:8787/webhook' });
    await expect.element(secret).toMatchTextContent(/Copy it now: it will not be shown again\..*whsec_0123456789abcdef/);
    await expect.element(secret).toHaveFocus();
    expect(fake.argsOf('addForwardTarget')).toEqual([
      [{ url: 'http://127.0.0.1:8787/webhook', inboxIds: [], eventTypes: ['message.received', 'message.bounced'], delivery: DEFAULT_FORWARD_DELIVERY }],
    ]);
    const targets = screen.getByRole('region', { name: 'Forward targets' }).getByRole('listitem');
    await expect.element(targets).toMatchTextContent(/http:\/\/127\.0\.0\.1:8787\/webhook\s*All inboxes · message\.received, message\.bounced/);
    await expect.element(targets).toMatchTextContent('quick retries, 10 attempts or 1 h · in order');

    await secret.getByRole('button', { name: 'I have stored it' }).click();
    await expect.element(secret).not.toBeInTheDocument();
    expect(document.body.textContent).not.toContain('whsec_0123456789abcdef');

    await targets.getByRole('button', { name: 'Remove' }).click();
    await screen.getByRole('group', { name: 'Stop forwarding here?' }).getByRole('button', { name: 'Remove' }).click();
    await expect.element(screen.getByRole('region', { name: 'Forward targets' }).getByRole('listitem')).not.toBeInTheDocument();
    expect(fake.argsOf('removeForwardTarget')).toEqual([['fwd_1']]);
  });

  it("adds a forward target with OpenMail's retries, unordered, and says what is wrong before sending", async () => {
    const fake = fakeData(engine(settingsWith()));
    const screen = await renderView(<SettingsView data={fake.data} live={[]} />);
    const form = screen.getByRole('form', { name: 'Add a forward target' });
    await form.getByRole('textbox', { name: 'Target URL' }).fill('http://127.0.0.1:8787/webhook');

    await expect.element(form.getByRole('spinbutton', { name: 'At once' })).not.toBeInTheDocument();
    await form.getByRole('combobox', { name: 'Retries' }).selectOptions('openmail');
    await expect.element(form.getByRole('spinbutton', { name: 'Attempts before a dead letter' })).toHaveValue(5);
    await form.getByRole('combobox', { name: 'Order' }).selectOptions('unordered');
    await form.getByRole('spinbutton', { name: 'At once' }).fill('65');
    await form.getByRole('spinbutton', { name: 'Give up after (minutes) optional' }).fill('');
    // The browser's own range check is what a person meets first; the draft check stands behind it.
    (form.element() as HTMLFormElement).noValidate = true;
    await form.getByRole('button', { name: 'Add target' }).click();
    await expect.element(form.getByRole('alert')).toHaveTextContent('At once must be a whole number from 1 to 64');
    expect(fake.argsOf('addForwardTarget')).toEqual([]);

    await form.getByRole('spinbutton', { name: 'At once' }).fill('4');
    await form.getByRole('button', { name: 'Add target' }).click();
    await expect.element(screen.getByRole('region', { name: 'Signing secret for http://127.0.0.1:8787/webhook' })).toBeVisible();
    expect(fake.argsOf('addForwardTarget')).toEqual([
      [
        {
          url: 'http://127.0.0.1:8787/webhook',
          inboxIds: [],
          eventTypes: [],
          delivery: { retry: 'openmail', maxAttempts: 5, maxAgeSeconds: null, order: 'unordered', concurrency: 4 },
        },
      ],
    ]);
    const targets = screen.getByRole('region', { name: 'Forward targets' }).getByRole('listitem');
    await expect.element(targets).toMatchTextContent("OpenMail's retries, 5 attempts · unordered, 4 at once");
    // The form starts over with the defaults.
    await expect.element(form.getByRole('combobox', { name: 'Order' })).toHaveValue('strict');
  });

  it('turns notifications off and mutes and unmutes inboxes', async () => {
    const fake = fakeData(engine(settingsWith()));
    const screen = await renderView(<SettingsView data={fake.data} live={[]} />);
    const panel = screen.getByRole('region', { name: 'Notifications' });

    await panel.getByRole('checkbox', { name: 'Notify me of new mail' }).click();
    await expect.element(panel.getByRole('checkbox', { name: 'Notify me of new mail' })).not.toBeChecked();
    await panel.getByRole('textbox', { name: 'Inbox id to mute' }).fill('inb_news, inb_spam');
    await panel.getByRole('button', { name: 'Mute' }).click();
    await expect.element(panel.getByRole('list')).toMatchTextContent(/inb_news.*inb_spam/);
    await panel.getByRole('button', { name: 'Unmute inb_news' }).click();
    await expect.element(panel.getByRole('button', { name: 'Unmute inb_news' })).not.toBeInTheDocument();

    expect(fake.argsOf('updateSettings')).toEqual([
      [{ notifications: { enabled: false, mutedInboxes: [], pausedUntil: null } }],
      [{ notifications: { enabled: false, mutedInboxes: ['inb_news', 'inb_spam'], pausedUntil: null } }],
      [{ notifications: { enabled: false, mutedInboxes: ['inb_spam'], pausedUntil: null } }],
    ]);
  });

  it('refuses a bad port or limit before sending anything, and saves good ones', async () => {
    const fake = fakeData(engine(settingsWith()));
    const screen = await renderView(<SettingsView data={fake.data} live={[]} />);
    const panel = screen.getByRole('region', { name: 'General' });
    const port = panel.getByRole('textbox', { name: 'Port' });
    await expect.element(port).toHaveValue('4319');

    await port.fill('70000');
    await panel.getByRole('button', { name: 'Save' }).click();
    await expect.element(panel.getByRole('status')).toHaveTextContent('The port must be a whole number from 1 to 65535');
    await port.fill('4320');
    await panel.getByRole('textbox', { name: 'Keep at most (events)' }).fill('0');
    await userEvent.keyboard('{Enter}');
    await expect.element(panel.getByRole('status')).toHaveTextContent('Events to keep must be a whole number of at least 1, or empty for no limit');
    expect(fake.argsOf('updateSettings')).toEqual([]);

    await panel.getByRole('textbox', { name: 'Keep at most (events)' }).fill('');
    await panel.getByRole('textbox', { name: 'Keep events for (days)' }).fill('7');
    await panel.getByRole('button', { name: 'Save' }).click();
    await expect.element(panel.getByRole('status')).toHaveTextContent('Saved.');
    expect(fake.argsOf('updateSettings')).toEqual([[{ port: 4320, retention: { maxAgeDays: 7, maxEvents: null } }]]);

    await panel.getByRole('checkbox', { name: 'Open Mailbridge at login' }).click();
    await expect.element(panel.getByRole('checkbox', { name: 'Open Mailbridge at login' })).toBeChecked();
    expect(fake.argsOf('updateSettings').at(-1)).toEqual([{ launchAtLogin: true }]);
  });

  it('shows what the engine refused to store', async () => {
    const fake = fakeData(
      engine(settingsWith(), {
        updateSettings: async () => {
          throw new Error('port 80 needs privileges');
        },
      }),
    );
    const screen = await renderView(<SettingsView data={fake.data} live={[]} />);
    const panel = screen.getByRole('region', { name: 'General' });
    await panel.getByRole('textbox', { name: 'Port' }).fill('80');
    await panel.getByRole('button', { name: 'Save' }).click();
    await expect.element(screen.getByRole('alert')).toMatchTextContent('port 80 needs privileges');
    await expect.element(panel.getByRole('status')).toHaveTextContent('');
  });
});
