// Named consumers (agents reading with ?consumer=) and how far behind each one is.
import type { ReactNode } from 'react';
import type { ConsumerStatus, EndpointInfo } from '../../shared/status.ts';
import { formatFullTime, formatRelative } from '../format/time.ts';
import { ConnectAgent } from './ConnectAgent.tsx';

interface ConsumersPanelProps {
  consumers: readonly ConsumerStatus[];
  endpoint: EndpointInfo | null;
  now: number;
}

export function ConsumersPanel({ consumers, endpoint, now }: ConsumersPanelProps): ReactNode {
  return (
    <section className="panel" aria-labelledby="consumers-heading">
      <div className="panel-head">
        <h2 id="consumers-heading">Agents</h2>
      </div>
      {consumers.length === 0 ? (
        <ConnectAgent
          title="No agent connected yet"
          lead="Agents on this computer read mail from the local endpoint. Add ?consumer=<name> to see an agent here with its lag."
          endpoint={endpoint}
        />
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Consumer</th>
              <th scope="col" className="num">Acknowledged</th>
              <th scope="col" className="num">Lag</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {consumers.map((consumer) => (
              <tr key={consumer.name}>
                <th scope="row" className="mono">{consumer.name}</th>
                <td className="num">{consumer.ackedSeq.toLocaleString()}</td>
                <td className={`num${consumer.lag > 0 ? ' tone-warn-text' : ''}`}>{consumer.lag.toLocaleString()}</td>
                <td>
                  <time dateTime={consumer.updatedAt} title={formatFullTime(consumer.updatedAt)}>
                    {formatRelative(consumer.updatedAt, now)}
                  </time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
