// Adding an account. The API key is handed to the engine (and from there to the OS keychain) and wiped from
// the form's state before the answer is even back, so it never lingers in the window.
import { useState, type FormEvent, type ReactNode } from 'react';
import type { AddAccountResponse } from '../../shared/control.ts';
import { NAME_RULE, NAME_SOURCE } from '../../shared/names.ts';
import { PROVIDERS, type ProviderName } from '../../shared/status.ts';
import type { DataLayer } from '../data/data-layer.ts';
import { parseIdList } from '../format/id-list.ts';
import { useAction } from '../hooks/useAction.ts';
import { FilterFields } from './FilterFields.tsx';

type Outcome = { tone: 'good' | 'warn' | 'bad'; text: string };

export function outcomeOf(response: AddAccountResponse, provider: ProviderName): Outcome {
  if (!response.ok) return { tone: 'bad', text: response.error };
  return response.verified
    ? { tone: 'good', text: `Verified: ${provider} accepted the key.` }
    : { tone: 'warn', text: `Saved, but unverified: ${provider} could not be reached to check the key. It connects when it can.` };
}

export function AddAccountForm({ data, onAdded }: { data: DataLayer; onAdded(): void }): ReactNode {
  const [name, setName] = useState('');
  const [provider, setProvider] = useState<ProviderName>('openmail');
  const [url, setUrl] = useState('');
  const [apiUrl, setApiUrl] = useState('');
  const [inboxes, setInboxes] = useState('');
  const [eventTypes, setEventTypes] = useState('');
  const [apiKey, setApiKey] = useState('');
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const add = useAction(data.api.addAccount);

  const onSubmit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const key = apiKey;
    setApiKey('');
    setOutcome(null);
    const response = await add.run({
      name: name.trim(),
      provider,
      url: url.trim() === '' ? undefined : url.trim(),
      apiUrl: apiUrl.trim() === '' ? undefined : apiUrl.trim(),
      inboxIds: parseIdList(inboxes),
      eventTypes: parseIdList(eventTypes),
      apiKey: key,
    });
    if (response === undefined) return;
    setOutcome(outcomeOf(response, provider));
    if (!response.ok) return;
    setName('');
    setUrl('');
    setApiUrl('');
    setInboxes('');
    setEventTypes('');
    onAdded();
  };

  const shown: Outcome | null = add.error !== null ? { tone: 'bad', text: add.error } : outcome;
  return (
    <form className="form" onSubmit={(event) => void onSubmit(event)} aria-labelledby="add-account-heading">
      <h3 id="add-account-heading">Add an account</h3>
      <div className="form-grid">
        <label>
          <span>Name</span>
          <input
            className="input"
            required
            pattern={NAME_SOURCE}
            title={NAME_RULE}
            placeholder="work"
            value={name}
            onChange={(event) => setName(event.target.value)}
          />
        </label>
        <label>
          <span>Provider</span>
          <select className="input" value={provider} onChange={(event) => setProvider(event.target.value as ProviderName)}>
            {PROVIDERS.map((option) => (
              <option key={option} value={option}>
                {option}
              </option>
            ))}
          </select>
        </label>
        <label className="span-2">
          <span>WebSocket URL <em className="muted">optional</em></span>
          <input className="input" type="url" placeholder="The provider's default" value={url} onChange={(event) => setUrl(event.target.value)} />
        </label>
        <label className="span-2">
          <span>REST API URL <em className="muted">optional</em></span>
          <input
            className="input"
            type="url"
            pattern="https?://.*"
            title="An http:// or https:// URL: where catch-up lists mail the socket missed"
            placeholder="The provider's default"
            value={apiUrl}
            onChange={(event) => setApiUrl(event.target.value)}
          />
        </label>
        <FilterFields inboxes={inboxes} eventTypes={eventTypes} onInboxes={setInboxes} onEventTypes={setEventTypes} />
        <label className="span-2">
          <span>API key</span>
          <input
            className="input"
            type="password"
            required
            autoComplete="off"
            spellCheck={false}
            placeholder="Stored in the system keychain"
            value={apiKey}
            onChange={(event) => setApiKey(event.target.value)}
          />
        </label>
      </div>
      <div className="form-foot">
        <button type="submit" className="button button-primary" disabled={add.busy}>
          {add.busy ? 'Checking key…' : 'Add account'}
        </button>
        <span className={shown === null ? undefined : `tone-${shown.tone}-text small`} role="status">
          {shown?.text}
        </span>
      </div>
    </form>
  );
}
