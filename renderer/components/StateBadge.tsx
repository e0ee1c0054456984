// The colored word that says how an account's connection is doing.
import type { ReactNode } from 'react';
import type { ConnectionState } from '../../shared/status.ts';
import { describeState } from '../format/connection-state.ts';

export function StateBadge({ state }: { state: ConnectionState }): ReactNode {
  const { label, tone } = describeState(state);
  return (
    <span className={`badge tone-${tone}`}>
      <span className="badge-dot" aria-hidden="true" />
      {label}
    </span>
  );
}
