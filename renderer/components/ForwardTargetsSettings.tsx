// Local URLs every event is POSTed to, signed like OpenMail's webhooks. A new target's secret is shown once.
import { useState, type FormEvent, type ReactNode } from 'react';
import type { AddForwardTargetResponse } from '../../shared/control.ts';
import type { ForwardTargetSettings } from '../../shared/settings.ts';
import type { DataLayer } from '../data/data-layer.ts';
import { parseIdList } from '../format/id-list.ts';
import { DEFAULT_DELIVERY_DRAFT, deliveryFromDraft, describeDelivery, type DeliveryDraft } from '../forms/delivery-draft.ts';
import { useAction } from '../hooks/useAction.ts';
import { ConfirmButton } from './ConfirmButton.tsx';
import { ErrorNotice } from './ErrorNotice.tsx';
import { SecretOnce } from './SecretOnce.tsx';
import { FilterFields } from './FilterFields.tsx';
import { ForwardDeliveryFields } from './ForwardDeliveryFields.tsx';
import { TargetSummary } from './TargetSummary.tsx';

interface ForwardTargetsSettingsProps {
  data: DataLayer;
  targets: readonly ForwardTargetSettings[];
  onChanged(): void;
}

export function ForwardTargetsSettings({ data, targets, onChanged }: ForwardTargetsSettingsProps): ReactNode {
  const [url, setUrl] = useState('');
  const [inboxes, setInboxes] = useState('');
  const [eventTypes, setEventTypes] = useState('');
  const [delivery, setDelivery] = useState<DeliveryDraft>(DEFAULT_DELIVERY_DRAFT);
  const [draftError, setDraftError] = useState<string | null>(null);
  const [created, setCreated] = useState<AddForwardTargetResponse | null>(null);
  const add = useAction(data.api.addForwardTarget);
  const remove = useAction(async (id: string) => {
    await data.api.removeForwardTarget(id);
    onChanged();
  });

  const onSubmit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const checked = deliveryFromDraft(delivery);
    setDraftError(checked.ok ? null : checked.error);
    if (!checked.ok) return;
    const response = await add.run({ url: url.trim(), inboxIds: parseIdList(inboxes), eventTypes: parseIdList(eventTypes), delivery: checked.delivery });
    if (response === undefined) return;
    setCreated(response);
    setUrl('');
    setInboxes('');
    setEventTypes('');
    setDelivery(DEFAULT_DELIVERY_DRAFT);
    onChanged();
  };

  return (
    <section className="panel" aria-labelledby="forward-settings-heading">
      <div className="panel-head">
        <h2 id="forward-settings-heading">Forward targets</h2>
      </div>
      <ErrorNotice message={remove.error} />
      {created !== null && (
        <SecretOnce title={`Signing secret for ${created.target.url}`} secret={created.secret} copyLabel="Copy secret" onDone={() => setCreated(null)}>
          Your webhook handler checks each request's X-Signature with it.
        </SecretOnce>
      )}
      {targets.length > 0 && (
        <ul className="setting-list">
          {targets.map((target) => (
            <li key={target.id} className="setting-item">
              <div className="setting-main">
                <TargetSummary target={target} />
                {target.delivery !== undefined && <span className="muted small">{describeDelivery(target.delivery)}</span>}
              </div>
              <ConfirmButton
                label="Remove"
                question="Stop forwarding here?"
                confirmLabel="Remove"
                busy={remove.busy}
                onConfirm={() => void remove.run(target.id)}
              />
            </li>
          ))}
        </ul>
      )}
      <form className="form" onSubmit={(event) => void onSubmit(event)} aria-labelledby="add-target-heading">
        <h3 id="add-target-heading">Add a forward target</h3>
        <div className="form-grid">
          <label className="span-2">
            <span>Target URL</span>
            <input
              className="input"
              type="url"
              required
              placeholder="http://127.0.0.1:8080/webhooks/mail"
              value={url}
              onChange={(event) => setUrl(event.target.value)}
            />
          </label>
          <FilterFields inboxes={inboxes} eventTypes={eventTypes} onInboxes={setInboxes} onEventTypes={setEventTypes} />
          <ForwardDeliveryFields draft={delivery} onChange={setDelivery} />
        </div>
        <div className="form-foot">
          <button type="submit" className="button button-primary" disabled={add.busy}>
            Add target
          </button>
          <ErrorNotice message={draftError ?? add.error} />
        </div>
      </form>
    </section>
  );
}
