// The NATS publishing settings in Chromium against a fake engine that stores them: what a person fills in, what
// is sent (the credentials once, to the call that keeps them in the keychain), and what is shown afterwards.
import { describe, expect, it } from 'vitest';
import type { ControlApi, SetNatsSinkRequest, SettingsPatch } from '../../../shared/control.ts';
import type { Settings } from '../../../shared/settings.ts';
import { NatsSettings } from '../../../renderer/components/NatsSettings.tsx';
import { settings as settingsWith } from './fixtures.ts';
import { renderView } from './render-view.tsx';
import { fakeData } from './stub-data.ts';

function engine(initial: Settings): Partial<ControlApi> & { stored: Settings } {
  const stored = structuredClone(initial);
  return {
    stored,
    setNatsSink: async ({ credentials: _kept, ...nats }: SetNatsSinkRequest) => structuredClone(Object.assign(stored, { nats })),
    removeNatsSink: async () => structuredClone(Object.assign(stored, { nats: null })),
    updateSettings: async (patch: SettingsPatch) => structuredClone(Object.assign(stored, patch)),
  };
}

async function show(initial: Settings) {
  const fake = fakeData(engine(initial));
  let current = initial;
  const view = () => <NatsSettings api={fake.data.api} settings={current} onStored={(next) => (current = next)} />;
  const screen = await renderView(view());
  const rerender = async (): Promise<void> => {
    await screen.rerender(view());
  };
  return { fake, screen, form: screen.getByRole('form', { name: 'NATS publishing' }), rerender, current: () => current };
}

describe('NatsSettings', () => {
  it('starts publishing with the defaults filled in; the password goes to the engine once and leaves the form', async () => {
    const { fake, screen, form, rerender, current } = await show(settingsWith());
    await expect.element(screen.getByText(/^Off\. Every event committed from now on can be published/)).toBeVisible();
    await expect.element(form.getByRole('textbox', { name: 'Stream', exact: true })).toHaveValue('MAILBRIDGE');
    await expect.element(form.getByRole('textbox', { name: 'Subject prefix' })).toHaveValue('mailbridge');
    await expect.element(form.getByRole('textbox', { name: 'Stream keeps (days)' })).toHaveValue('30');

    await form.getByRole('textbox', { name: 'Broker URL' }).fill('nats://broker.example.com:4222');
    await form.getByRole('textbox', { name: 'User' }).fill('mailbridge');
    await form.getByLabelText('Password, token or .creds').fill('s3cret');
    await form.getByRole('textbox', { name: 'This engine’s name' }).fill('laptop-a');
    await form.getByRole('button', { name: 'Start publishing' }).click();

    await expect.element(form.getByRole('status')).toHaveTextContent('Saved.');
    expect(fake.argsOf('setNatsSink')).toEqual([
      [{ url: 'nats://broker.example.com:4222', user: 'mailbridge', stream: 'MAILBRIDGE', subjectPrefix: 'mailbridge', maxAgeDays: 30, maxBytes: null, credentials: 's3cret' }],
    ]);
    expect(fake.argsOf('updateSettings')).toEqual([[{ engineName: 'laptop-a' }]]);
    expect(current().nats).toMatchObject({ url: 'nats://broker.example.com:4222', user: 'mailbridge' });
    expect(JSON.stringify(current())).not.toContain('s3cret');

    await rerender();
    await expect.element(screen.getByText('Publishing to nats://broker.example.com:4222, stream MAILBRIDGE, subjects mailbridge.<account>.<inbox>.<event type>.')).toBeVisible();
    await expect.element(form.getByLabelText('Password, token or .creds')).toHaveValue('');
    await expect.element(form.getByLabelText('Password, token or .creds')).toHaveAttribute('placeholder', 'Kept in the keychain: leave empty to keep');
  });

  it('keeps stored credentials when the field is left empty, and says what is wrong before sending anything', async () => {
    const nats = { url: 'nats://127.0.0.1:4222', user: null, stream: 'MAILBRIDGE', subjectPrefix: 'mailbridge', maxAgeDays: 30, maxBytes: null };
    const { fake, form } = await show(settingsWith({ nats }));

    await form.getByRole('textbox', { name: 'Subject prefix' }).fill('mail.*');
    await form.getByRole('button', { name: 'Save' }).click();
    await expect.element(form.getByRole('status')).toHaveTextContent('The subject prefix takes words of letters, digits, "-" or "_" joined by dots');
    await form.getByRole('textbox', { name: 'Subject prefix' }).fill('acme.mail');
    await form.getByRole('textbox', { name: 'Broker URL' }).fill('nats://user:pw@127.0.0.1:4222');
    await form.getByRole('button', { name: 'Save' }).click();
    await expect.element(form.getByRole('status')).toHaveTextContent('Give the user in its own field and the password as credentials, not in the URL');
    expect(fake.argsOf('setNatsSink')).toEqual([]);

    await form.getByRole('textbox', { name: 'Broker URL' }).fill('tls://127.0.0.1:4222');
    await form.getByRole('textbox', { name: 'Stream keeps (bytes)' }).fill('1000000000');
    await form.getByRole('button', { name: 'Save' }).click();
    await expect.element(form.getByRole('status')).toHaveTextContent('Saved.');
    expect(fake.argsOf('setNatsSink')).toEqual([[{ ...nats, url: 'tls://127.0.0.1:4222', subjectPrefix: 'acme.mail', maxBytes: 1_000_000_000 }]]);
    expect(fake.argsOf('updateSettings')).toEqual([]);
  });

  it('stops publishing after asking', async () => {
    const nats = { url: 'nats://127.0.0.1:4222', user: null, stream: 'MAILBRIDGE', subjectPrefix: 'mailbridge', maxAgeDays: null, maxBytes: null };
    const { fake, screen, rerender } = await show(settingsWith({ nats }));
    await screen.getByRole('button', { name: 'Stop publishing' }).click();
    await screen.getByRole('group', { name: 'Stop publishing to NATS?' }).getByRole('button', { name: 'Stop' }).click();
    await expect.poll(() => fake.argsOf('removeNatsSink')).toEqual([[]]);
    await rerender();
    await expect.element(screen.getByText(/^Off\./)).toBeVisible();
  });
});
