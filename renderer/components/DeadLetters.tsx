// A target's dead letters, listed on demand, each with a Retry button. Retried letters go back to the target's
// queue and leave this list once delivered.
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import type { DeadLetter } from '../../shared/status.ts';
import type { DataLayer } from '../data/data-layer.ts';
import { errorMessage } from '../data/api-error.ts';
import { formatFullTime, formatRelative } from '../format/time.ts';
import { useAction } from '../hooks/useAction.ts';
import { ErrorNotice } from './ErrorNotice.tsx';

interface DeadLettersProps {
  api: DataLayer['api'];
  targetId: string;
  /** The count from status: a change means the list changed. */
  count: number;
  now: number;
}

export function DeadLetters({ api, targetId, count, now }: DeadLettersProps): ReactNode {
  const [open, setOpen] = useState(false);
  const [letters, setLetters] = useState<DeadLetter[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [gone, setGone] = useState<number | null>(null);

  const load = useCallback(async () => {
    try {
      setLetters(await api.deadLetters(targetId));
      setError(null);
    } catch (failure) {
      setError(errorMessage(failure));
    }
  }, [api, targetId]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: a change in the count of dead letters reloads the open list.
  useEffect(() => {
    if (open) void load();
  }, [open, count, load]);

  const retry = useAction(async (id: number) => {
    const queued = await api.retryDelivery(id);
    setGone(queued ? null : id);
    await load();
  });

  return (
    <details className="dead-letters" onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>Show dead letters</summary>
      <ErrorNotice message={error ?? retry.error} />
      {gone !== null && <p className="muted small">Dead letter {gone} is gone: delivered already, or its target was removed.</p>}
      {letters !== null && letters.length === 0 && <p className="muted small">None left.</p>}
      {letters !== null && letters.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col" className="num">Attempts</th>
              <th scope="col">Last error</th>
              <th scope="col">Failed</th>
              <th scope="col">
                <span className="visually-hidden">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {letters.map((letter) => (
              <tr key={letter.id}>
                <th scope="row" className="mono">
                  #{letter.seq} {letter.eventId}
                </th>
                <td className="num">{letter.attempts}</td>
                <td className="tone-bad-text">{letter.lastError ?? '—'}</td>
                <td>
                  <time dateTime={letter.at} title={formatFullTime(letter.at)}>
                    {formatRelative(letter.at, now)}
                  </time>
                </td>
                <td className="num">
                  {letter.status === 'retrying' ? (
                    <span className="muted small">Retrying…</span>
                  ) : (
                    <button
                      type="button"
                      className="button button-small"
                      aria-label={`Retry event ${letter.seq}`}
                      disabled={retry.busy}
                      onClick={() => void retry.run(letter.id)}
                    >
                      Retry
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </details>
  );
}
