// Webhook forwarding at a glance: per target, what waits, what arrived, what gave up, and the last answer.
import type { ReactNode } from 'react';
import type { ForwardTargetStatus } from '../../shared/status.ts';
import type { DataLayer } from '../data/data-layer.ts';
import { formatFullTime, formatRelative } from '../format/time.ts';
import { DeadLetters } from './DeadLetters.tsx';
import { TargetSummary } from './TargetSummary.tsx';

function LastResult({ result, now }: { result: ForwardTargetStatus['lastResult']; now: number }): ReactNode {
  if (result === null) return <span className="muted">Nothing sent yet</span>;
  return (
    <span className={result.ok ? 'tone-good-text' : 'tone-bad-text'}>
      {result.ok ? 'Delivered' : 'Failed'}
      {result.detail !== '' && ` · ${result.detail}`} ·{' '}
      <time dateTime={result.at} title={formatFullTime(result.at)}>
        {formatRelative(result.at, now)}
      </time>
    </span>
  );
}

function ForwardItem({ data, target, now }: { data: DataLayer; target: ForwardTargetStatus; now: number }): ReactNode {
  return (
    <li className="forward-item">
      <div className="forward-row">
        <div className="forward-main">
          <TargetSummary target={target} />
          <span className="small">
            <LastResult result={target.lastResult} now={now} />
          </span>
        </div>
        <dl className="counts">
          <div>
            <dt>Queued</dt>
            <dd>{target.queued.toLocaleString()}</dd>
          </div>
          <div>
            <dt>Delivered</dt>
            <dd>{target.delivered.toLocaleString()}</dd>
          </div>
          <div className={target.deadLetters > 0 ? 'tone-bad-text' : undefined}>
            <dt>Dead letters</dt>
            <dd>{target.deadLetters.toLocaleString()}</dd>
          </div>
        </dl>
      </div>
      {target.deadLetters > 0 && (
        <DeadLetters api={data.api} targetId={target.id} count={target.deadLetters} now={now} />
      )}
    </li>
  );
}

interface ForwardsPanelProps {
  data: DataLayer;
  forwards: readonly ForwardTargetStatus[];
  now: number;
}

export function ForwardsPanel({ data, forwards, now }: ForwardsPanelProps): ReactNode {
  return (
    <section className="panel" aria-labelledby="forwards-heading">
      <div className="panel-head">
        <h2 id="forwards-heading">Forwarding</h2>
      </div>
      {forwards.length === 0 ? (
        <p className="muted">No forward targets. Add one in Settings to have each event POSTed, signed, to a local URL.</p>
      ) : (
        <ul className="forward-list">
          {forwards.map((target) => (
            <ForwardItem key={target.id} data={data} target={target} now={now} />
          ))}
        </ul>
      )}
    </section>
  );
}
