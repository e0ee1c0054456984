// Launch at login, the endpoint's port and how long history is kept.
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import type { SettingsPatch } from '../../shared/control.ts';
import type { Settings } from '../../shared/settings.ts';
import { draftFrom, patchFromDraft, type GeneralDraft } from '../forms/general-draft.ts';

interface GeneralSettingsProps {
  settings: Settings;
  busy: boolean;
  onSave(patch: SettingsPatch): Promise<boolean>;
}

export function GeneralSettings({ settings, busy, onSave }: GeneralSettingsProps): ReactNode {
  const [draft, setDraft] = useState<GeneralDraft>(() => draftFrom(settings));
  const [problem, setProblem] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  // What the engine stored wins over an unsaved draft whenever settings change underneath.
  const { port } = settings;
  const { maxAgeDays, maxEvents } = settings.retention;
  useEffect(() => setDraft(draftFrom({ port, retention: { maxAgeDays, maxEvents } })), [port, maxAgeDays, maxEvents]);

  const edit = (change: Partial<GeneralDraft>): void => {
    setDraft({ ...draft, ...change });
    setSaved(false);
  };
  const onSubmit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const result = patchFromDraft(draft);
    setProblem(result.ok ? null : result.error);
    if (result.ok) setSaved(await onSave(result.patch));
  };

  return (
    <section className="panel" aria-labelledby="general-heading">
      <div className="panel-head">
        <h2 id="general-heading">General</h2>
      </div>
      <label className="toggle">
        <input
          type="checkbox"
          checked={settings.launchAtLogin}
          disabled={busy}
          onChange={(event) => void onSave({ launchAtLogin: event.target.checked })}
        />
        <span>Open Mailbridge at login</span>
      </label>
      <form className="form" onSubmit={(event) => void onSubmit(event)}>
        <div className="form-grid form-grid-3">
          <label>
            <span>Port</span>
            <input className="input" inputMode="numeric" value={draft.port} onChange={(event) => edit({ port: event.target.value })} />
          </label>
          <label>
            <span>Keep events for (days)</span>
            <input
              className="input"
              inputMode="numeric"
              placeholder="Forever"
              value={draft.maxAgeDays}
              onChange={(event) => edit({ maxAgeDays: event.target.value })}
            />
          </label>
          <label>
            <span>Keep at most (events)</span>
            <input
              className="input"
              inputMode="numeric"
              placeholder="No limit"
              value={draft.maxEvents}
              onChange={(event) => edit({ maxEvents: event.target.value })}
            />
          </label>
        </div>
        <p className="muted small">A new port takes effect when Mailbridge restarts. Events a forward target has not received yet are kept regardless.</p>
        <div className="form-foot">
          <button type="submit" className="button button-primary" disabled={busy}>
            Save
          </button>
          <span className={problem === null ? 'tone-good-text small' : 'tone-bad-text small'} role="status">
            {problem ?? (saved ? 'Saved.' : '')}
          </span>
        </div>
      </form>
    </section>
  );
}
