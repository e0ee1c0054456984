// The Status tab: the engine in one screen, accounts first because they are what can go wrong.
import type { ReactNode } from 'react';
import type { AttachmentsStatus, DaemonStatus } from '../../shared/status.ts';
import type { DataLayer } from '../data/data-layer.ts';
import { formatBytes } from '../format/bytes.ts';
import { formatFullTime, formatRelative } from '../format/time.ts';
import { useAction } from '../hooks/useAction.ts';
import { useNow } from '../hooks/useNow.ts';
import { AccountStatusCard } from './AccountStatusCard.tsx';
import { ConsumersPanel } from './ConsumersPanel.tsx';
import { EndpointPanel } from './EndpointPanel.tsx';
import { ErrorNotice } from './ErrorNotice.tsx';
import { ForwardsPanel } from './ForwardsPanel.tsx';
import { SinksPanel } from './SinksPanel.tsx';

/** "12 attachments kept (3.1 MB), 2 to fetch": what the attachment store holds and still has to do. */
function attachmentsSummary(attachments: AttachmentsStatus): string {
  const kept = `${attachments.kept.toLocaleString()} attachment${attachments.kept === 1 ? '' : 's'} kept (${formatBytes(attachments.bytes)})`;
  return attachments.pending > 0 ? `${kept}, ${attachments.pending.toLocaleString()} to fetch` : kept;
}

export function StatusView({ data, status }: { data: DataLayer; status: DaemonStatus | null }): ReactNode {
  const now = useNow(5_000);
  const reconnect = useAction(() => data.api.reconnect());
  const testEvent = useAction(() => data.api.testEvent());

  if (status === null) return <p className="muted loading">Loading status…</p>;
  return (
    <div className="view-scroll">
      <div className="view-head">
        <div>
          <h1>Status</h1>
          <p className="muted small">
            {status.store.events.toLocaleString()} events stored
            {status.attachments && ` · ${attachmentsSummary(status.attachments)}`} · started{' '}
            <time dateTime={status.startedAt} title={formatFullTime(status.startedAt)}>
              {formatRelative(status.startedAt, now)}
            </time>{' '}
            · v{status.version}
            {status.demo && <span className="chip chip-accent">Demo</span>}
          </p>
        </div>
        <div className="actions">
          <button type="button" className="button" disabled={testEvent.busy} onClick={() => void testEvent.run()}>
            Send test event
          </button>
          <button type="button" className="button" disabled={reconnect.busy} onClick={() => void reconnect.run()}>
            Reconnect now
          </button>
        </div>
      </div>
      <ErrorNotice message={reconnect.error ?? testEvent.error} />
      {status.attachments?.lastError && status.attachments.pending + status.attachments.failed > 0 && (
        <p className="muted small" role="note">
          Attachments not kept yet, last because: {status.attachments.lastError.message}
        </p>
      )}

      <section className="panel" aria-labelledby="accounts-heading">
        <div className="panel-head">
          <h2 id="accounts-heading">Accounts</h2>
        </div>
        {status.accounts.length === 0 ? (
          <p className="muted">No accounts yet. Add one in Settings with its API key.</p>
        ) : (
          <div className="card-grid">
            {status.accounts.map((account) => (
              <AccountStatusCard key={account.account} account={account} now={now} />
            ))}
          </div>
        )}
      </section>

      <div className="status-grid">
        <EndpointPanel endpoint={status.endpoint} host={data.host} />
        <ConsumersPanel consumers={status.consumers} endpoint={status.endpoint} now={now} />
      </div>
      <ForwardsPanel data={data} forwards={status.forwards} now={now} />
      <SinksPanel sinks={status.sinks} engine={status.engine} now={now} />
    </div>
  );
}
