// The Settings tab. Each change goes to the engine at once and the window shows what the engine stored.
import type { ReactNode } from 'react';
import type { SettingsPatch } from '../../shared/control.ts';
import type { UpstreamStatus } from '../../shared/status.ts';
import type { DataLayer } from '../data/data-layer.ts';
import { useAction } from '../hooks/useAction.ts';
import { useSettings } from '../hooks/useSettings.ts';
import { AccountsSettings } from './AccountsSettings.tsx';
import { AgentTokensSettings } from './AgentTokensSettings.tsx';
import { AuditPanel } from './AuditPanel.tsx';
import { ErrorNotice } from './ErrorNotice.tsx';
import { ForwardTargetsSettings } from './ForwardTargetsSettings.tsx';
import { GeneralSettings } from './GeneralSettings.tsx';
import { NatsSettings } from './NatsSettings.tsx';
import { NotificationSettings } from './NotificationSettings.tsx';

export function SettingsView({ data, live }: { data: DataLayer; live: readonly UpstreamStatus[] }): ReactNode {
  const { settings, error, reload, replace } = useSettings(data);
  const update = useAction(async (patch: SettingsPatch) => {
    replace(await data.api.updateSettings(patch));
    return true;
  });
  const save = async (patch: SettingsPatch): Promise<boolean> => (await update.run(patch)) === true;

  if (settings === null) {
    return error === null ? <p className="muted loading">Loading settings…</p> : <ErrorNotice message={error} onRetry={() => void reload()} />;
  }
  const changed = (): void => void reload();
  return (
    <div className="view-scroll">
      <div className="view-head">
        <h1>Settings</h1>
      </div>
      <ErrorNotice message={update.error ?? error} />
      <AccountsSettings data={data} accounts={settings.accounts} live={live} onChanged={changed} />
      <NotificationSettings notifications={settings.notifications} busy={update.busy} onSave={(patch) => void save(patch)} />
      <GeneralSettings settings={settings} busy={update.busy} onSave={save} />
      <ForwardTargetsSettings data={data} targets={settings.forwardTargets} onChanged={changed} />
      <AgentTokensSettings data={data} />
      <AuditPanel data={data} />
      <NatsSettings api={data.api} settings={settings} onStored={replace} />
    </div>
  );
}
