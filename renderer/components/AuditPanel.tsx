// What agents did through Mailbridge: every call through the REST proxy and every send, newest first, with the
// token, the call and the answer's status. The log never holds a mail's content or a key, so neither is shown.
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import type { AuditEntry } from '../../shared/audit.ts';
import { errorMessage } from '../data/api-error.ts';
import type { DataLayer } from '../data/data-layer.ts';
import { formatFullTime, formatRelative } from '../format/time.ts';
import { useNow } from '../hooks/useNow.ts';
import { ErrorNotice } from './ErrorNotice.tsx';

const SHOWN = 50;

export function AuditPanel({ data }: { data: DataLayer }): ReactNode {
  const now = useNow(30_000);
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setEntries((await data.api.audit({ limit: SHOWN })).entries);
      setError(null);
    } catch (failure) {
      setError(errorMessage(failure));
    }
  }, [data]);
  useEffect(() => void load(), [load]);

  return (
    <section className="panel" aria-labelledby="audit-heading">
      <div className="panel-head">
        <h2 id="audit-heading">Agent activity</h2>
        <button type="button" className="button button-small" onClick={() => void load()}>
          Refresh
        </button>
      </div>
      <ErrorNotice message={error} />
      {entries !== null && entries.length === 0 && <p className="muted">No agent has called a provider through Mailbridge yet.</p>}
      {entries !== null && entries.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Token</th>
              <th scope="col">Call</th>
              <th scope="col" className="num">
                Status
              </th>
              <th scope="col">Note</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.id}>
                <td>
                  <time dateTime={entry.at} title={formatFullTime(entry.at)}>
                    {formatRelative(entry.at, now)}
                  </time>
                </td>
                <th scope="row" className="mono">
                  {entry.token}
                </th>
                <td className="mono">
                  {entry.method} {entry.account}:{entry.path}
                </td>
                <td className={`num${entry.status === null || entry.status >= 400 ? ' tone-bad-text' : ''}`}>{entry.status ?? '—'}</td>
                <td className="muted small">{entry.note ?? (entry.idempotencyKey === null ? '' : `key ${entry.idempotencyKey}`)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
