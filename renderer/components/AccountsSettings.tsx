// Accounts as configured, each with its live state, and the form to add one.
import type { ReactNode } from 'react';
import type { AccountSettings } from '../../shared/settings.ts';
import type { UpstreamStatus } from '../../shared/status.ts';
import type { DataLayer } from '../data/data-layer.ts';
import { describeIdList } from '../format/id-list.ts';
import { useAction } from '../hooks/useAction.ts';
import { AddAccountForm } from './AddAccountForm.tsx';
import { ConfirmButton } from './ConfirmButton.tsx';
import { ErrorNotice } from './ErrorNotice.tsx';
import { StateBadge } from './StateBadge.tsx';

interface AccountsSettingsProps {
  data: DataLayer;
  accounts: readonly AccountSettings[];
  live: readonly UpstreamStatus[];
  onChanged(): void;
}

export function AccountsSettings({ data, accounts, live, onChanged }: AccountsSettingsProps): ReactNode {
  const remove = useAction(async (name: string) => {
    await data.api.removeAccount(name);
    onChanged();
  });
  return (
    <section className="panel" aria-labelledby="accounts-settings-heading">
      <div className="panel-head">
        <h2 id="accounts-settings-heading">Accounts</h2>
      </div>
      <ErrorNotice message={remove.error} />
      {accounts.length === 0 && <p className="muted">No accounts yet. Add one below: its API key goes to the system keychain.</p>}
      {accounts.length > 0 && (
        <ul className="setting-list">
          {accounts.map((account) => {
            const state = live.find((upstream) => upstream.account === account.name)?.state;
            return (
              <li key={account.name} className="setting-item">
                <div className="setting-main">
                  <strong>{account.name}</strong>
                  <span className="muted small">
                    {account.provider}
                    {account.url !== undefined && ` · ${account.url}`}
                    {account.apiUrl !== undefined && ` · REST ${account.apiUrl}`} · {describeIdList(account.inboxIds, 'all inboxes')} ·{' '}
                    {describeIdList(account.eventTypes, 'all events')}
                  </span>
                </div>
                {state !== undefined && <StateBadge state={state} />}
                <ConfirmButton
                  label="Remove"
                  question={`Remove ${account.name} and its key?`}
                  confirmLabel="Remove"
                  busy={remove.busy}
                  onConfirm={() => void remove.run(account.name)}
                />
              </li>
            );
          })}
        </ul>
      )}
      <AddAccountForm data={data} onAdded={onChanged} />
    </section>
  );
}
