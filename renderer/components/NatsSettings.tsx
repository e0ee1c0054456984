// Publishing to NATS JetStream: where, into which stream, under which subjects, how long the stream keeps
// messages, and this engine's name. The credentials go to the keychain and are never shown again.
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import type { ControlApi } from '../../shared/control.ts';
import type { Settings } from '../../shared/settings.ts';
import { natsDraftFrom, natsRequestFromDraft, type NatsDraft } from '../forms/nats-draft.ts';
import { useAction } from '../hooks/useAction.ts';
import { ConfirmButton } from './ConfirmButton.tsx';

interface NatsSettingsProps {
  api: ControlApi;
  settings: Settings;
  /** The engine's answer: the settings it now holds. */
  onStored(settings: Settings): void;
}

export function NatsSettings({ api, settings, onStored }: NatsSettingsProps): ReactNode {
  const { nats, engineName } = settings;
  const [draft, setDraft] = useState<NatsDraft>(() => natsDraftFrom(nats, engineName));
  const [problem, setProblem] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  // What the engine stored wins over an unsaved draft whenever it changes underneath.
  const storedKey = JSON.stringify([nats, engineName]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: storedKey stands for nats and engineName by value.
  useEffect(() => setDraft(natsDraftFrom(nats, engineName)), [storedKey]);

  const save = useAction(async (result: Extract<ReturnType<typeof natsRequestFromDraft>, { ok: true }>) => {
    let stored = await api.setNatsSink(result.request);
    if (result.engineName !== stored.engineName) stored = await api.updateSettings({ engineName: result.engineName });
    onStored(stored);
    return true;
  });
  const remove = useAction(async () => onStored(await api.removeNatsSink()));

  const edit = (change: Partial<NatsDraft>): void => {
    setDraft({ ...draft, ...change });
    setSaved(false);
  };
  const onSubmit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const result = natsRequestFromDraft(draft);
    setProblem(result.ok ? null : result.error);
    if (result.ok) setSaved((await save.run(result)) === true);
  };
  const field = (key: keyof NatsDraft, label: string, extra: Record<string, string> = {}): ReactNode => (
    <label>
      <span>{label}</span>
      <input className="input" value={draft[key]} onChange={(event) => edit({ [key]: event.target.value })} {...extra} />
    </label>
  );
  const error = problem ?? save.error ?? remove.error;

  return (
    <section className="panel" aria-labelledby="nats-heading">
      <div className="panel-head">
        <h2 id="nats-heading">Publish to NATS JetStream</h2>
        {nats !== null && (
          <ConfirmButton label="Stop publishing" question="Stop publishing to NATS?" confirmLabel="Stop" busy={remove.busy} onConfirm={() => void remove.run()} />
        )}
      </div>
      <p className="muted small">
        {nats === null
          ? 'Off. Every event committed from now on can be published into a JetStream stream that agents on other machines read.'
          : `Publishing to ${nats.url}, stream ${nats.stream}, subjects ${nats.subjectPrefix}.<account>.<inbox>.<event type>.`}
      </p>
      <form className="form" aria-label="NATS publishing" onSubmit={(event) => void onSubmit(event)}>
        <div className="form-grid">
          {field('url', 'Broker URL', { placeholder: 'nats://broker.example.com:4222', spellCheck: 'false' })}
          {field('user', 'User', { placeholder: 'None', autoComplete: 'off' })}
          {field('credentials', 'Password, token or .creds', {
            type: 'password',
            autoComplete: 'new-password',
            placeholder: nats === null ? 'None' : 'Kept in the keychain: leave empty to keep',
          })}
          {field('engineName', 'This engine’s name', { placeholder: 'The host name' })}
        </div>
        <div className="form-grid form-grid-3">
          {field('stream', 'Stream')}
          {field('subjectPrefix', 'Subject prefix')}
          {field('maxAgeDays', 'Stream keeps (days)', { inputMode: 'numeric', placeholder: 'Forever' })}
          {field('maxBytes', 'Stream keeps (bytes)', { inputMode: 'numeric', placeholder: 'No limit' })}
        </div>
        <p className="muted small">
          The stream is created if missing and used as it is if it exists; its limits apply when Mailbridge creates it. The engine name takes
          effect when Mailbridge restarts.
        </p>
        <div className="form-foot">
          <button type="submit" className="button button-primary" disabled={save.busy}>
            {nats === null ? 'Start publishing' : 'Save'}
          </button>
          <span className={error === null ? 'tone-good-text small' : 'tone-bad-text small'} role="status">
            {error ?? (saved ? 'Saved.' : '')}
          </span>
        </div>
      </form>
    </section>
  );
}
