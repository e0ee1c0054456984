// How a new forward target delivers: the retry schedule, when an event becomes a dead letter, and ordering.
import type { ReactNode } from 'react';
import { FORWARD_DELIVERY_LIMITS } from '../../shared/forward-delivery.ts';
import { withRetry, type DeliveryDraft } from '../forms/delivery-draft.ts';

interface ForwardDeliveryFieldsProps {
  draft: DeliveryDraft;
  onChange: (draft: DeliveryDraft) => void;
}

export function ForwardDeliveryFields({ draft, onChange }: ForwardDeliveryFieldsProps): ReactNode {
  const limits = FORWARD_DELIVERY_LIMITS;
  return (
    <>
      <label>
        <span>Retries</span>
        <select className="input" value={draft.retry} onChange={(event) => onChange(withRetry(draft, event.target.value as DeliveryDraft['retry']))}>
          <option value="local">Quick: within 1 s, then up to every 5 min</option>
          <option value="openmail">OpenMail's: 30 s, 1 min, 2 min, 4 min</option>
        </select>
      </label>
      <label>
        <span>Order</span>
        <select className="input" value={draft.order} onChange={(event) => onChange({ ...draft, order: event.target.value as DeliveryDraft['order'] })}>
          <option value="strict">In order, one at a time</option>
          <option value="unordered">Unordered, several at once</option>
        </select>
      </label>
      <label>
        <span>Attempts before a dead letter</span>
        <input
          className="input"
          type="number"
          required
          min={limits.maxAttempts.min}
          max={limits.maxAttempts.max}
          value={draft.maxAttempts}
          onChange={(event) => onChange({ ...draft, maxAttempts: event.target.value })}
        />
      </label>
      <label>
        <span>
          Give up after (minutes) <em className="muted">optional</em>
        </span>
        <input
          className="input"
          type="number"
          min={1}
          max={limits.maxAgeSeconds.max / 60}
          placeholder="No time limit"
          value={draft.maxAgeMinutes}
          onChange={(event) => onChange({ ...draft, maxAgeMinutes: event.target.value })}
        />
      </label>
      {draft.order === 'unordered' && (
        <label>
          <span>At once</span>
          <input
            className="input"
            type="number"
            required
            min={limits.concurrency.min}
            max={limits.concurrency.max}
            value={draft.concurrency}
            onChange={(event) => onChange({ ...draft, concurrency: event.target.value })}
          />
        </label>
      )}
    </>
  );
}
