// Where agents connect: the loopback URL and socket, and one-click copies of what they need.
import type { ReactNode } from 'react';
import type { EndpointInfo } from '../../shared/status.ts';
import type { HostActions } from '../data/data-layer.ts';
import { pollUrl } from '../format/agent-commands.ts';
import { CopyButton, copyText } from './CopyButton.tsx';

export function EndpointPanel({ endpoint, host }: { endpoint: EndpointInfo | null; host: HostActions }): ReactNode {
  return (
    <section className="panel" aria-labelledby="endpoint-heading">
      <div className="panel-head">
        <h2 id="endpoint-heading">Local endpoint</h2>
        {endpoint !== null && (
          <div className="actions">
            <CopyButton label="Copy token" copy={host.copyToken} />
            <CopyButton label="Copy agent URL" copy={copyText(pollUrl(endpoint))} />
          </div>
        )}
      </div>
      {endpoint === null ? (
        <p className="muted">The local endpoint is not running.</p>
      ) : (
        <dl className="facts facts-stacked">
          <div>
            <dt>URL</dt>
            <dd className="mono">{endpoint.url}</dd>
          </div>
          <div>
            <dt>Socket</dt>
            <dd className="mono truncate" title={endpoint.socket ?? undefined}>
              {endpoint.socket ?? <span className="muted">Off</span>}
            </dd>
          </div>
        </dl>
      )}
    </section>
  );
}
