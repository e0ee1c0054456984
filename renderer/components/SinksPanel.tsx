// Where this engine publishes (NATS JetStream): per sink, its state, how far behind it is and the last error,
// under this engine's name so operators running several tell them apart.
import type { ReactNode } from 'react';
import type { SinkState, SinkStatus } from '../../shared/status.ts';
import type { Tone } from '../format/connection-state.ts';
import { formatFullTime, formatRelative } from '../format/time.ts';

const SINK_STATES: Readonly<Record<SinkState, { label: string; tone: Tone }>> = {
  live: { label: 'Publishing', tone: 'good' },
  connecting: { label: 'Connecting', tone: 'busy' },
  backoff: { label: 'Retrying', tone: 'warn' },
  stopped: { label: 'Stopped', tone: 'idle' },
};

function When({ at, now }: { at: string; now: number }): ReactNode {
  return (
    <time dateTime={at} title={formatFullTime(at)}>
      {formatRelative(at, now)}
    </time>
  );
}

function SinkItem({ sink, now }: { sink: SinkStatus; now: number }): ReactNode {
  const { label, tone } = SINK_STATES[sink.state];
  return (
    <li className="forward-item">
      <div className="forward-row">
        <div className="forward-main">
          <span>
            <span className={`badge tone-${tone}`}>
              <span className="badge-dot" aria-hidden="true" />
              {label}
            </span>{' '}
            <span className="mono">{sink.url}</span> · stream <span className="mono">{sink.stream}</span> ·{' '}
            <span className="mono">{sink.subjectPrefix}.&gt;</span>
          </span>
          {sink.lastError !== null && (
            <span className="small tone-bad-text">
              {sink.lastError.message} · <When at={sink.lastError.at} now={now} />
            </span>
          )}
          {sink.lastPublishedAt !== null && (
            <span className="small muted">
              Last published <When at={sink.lastPublishedAt} now={now} />
            </span>
          )}
        </div>
        <dl className="counts">
          <div className={sink.lag > 0 ? 'tone-warn-text' : undefined}>
            <dt>Lag</dt>
            <dd>{sink.lag.toLocaleString()}</dd>
          </div>
          <div>
            <dt>Published</dt>
            <dd>{sink.published.toLocaleString()}</dd>
          </div>
          <div>
            <dt>Already there</dt>
            <dd>{sink.duplicates.toLocaleString()}</dd>
          </div>
        </dl>
      </div>
    </li>
  );
}

export function SinksPanel({ sinks, engine, now }: { sinks: readonly SinkStatus[]; engine: string; now: number }): ReactNode {
  if (sinks.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="sinks-heading">
      <div className="panel-head">
        <h2 id="sinks-heading">Publishing</h2>
        <span className="muted small">
          as engine <span className="mono">{engine}</span>
        </span>
      </div>
      <ul className="forward-list">
        {sinks.map((sink) => (
          <SinkItem key={sink.id} sink={sink} now={now} />
        ))}
      </ul>
    </section>
  );
}
