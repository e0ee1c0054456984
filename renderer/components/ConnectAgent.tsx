// The empty state: what an agent runs to get its first event, with the real endpoint filled in.
import type { ReactNode } from 'react';
import type { EndpointInfo } from '../../shared/status.ts';
import { curlCommand, webSocketUrl } from '../format/agent-commands.ts';
import { CopyButton, copyText } from './CopyButton.tsx';

interface ConnectAgentProps {
  title: string;
  lead: string;
  endpoint: EndpointInfo | null;
}

export function ConnectAgent({ title, lead, endpoint }: ConnectAgentProps): ReactNode {
  return (
    <div className="empty-state">
      <svg className="empty-mark" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
        <path d="M4 6l4 4-4 4M10 15h6" />
      </svg>
      <h3>{title}</h3>
      <p className="muted">{lead}</p>
      {endpoint === null ? (
        <p className="muted">The local endpoint is not running.</p>
      ) : (
        <>
          <div className="code-line">
            <code>{curlCommand(endpoint)}</code>
            <CopyButton label="Copy" copy={copyText(curlCommand(endpoint))} />
          </div>
          <p className="muted small">
            It waits up to 30 seconds for the next mail. OpenMail WebSocket clients can connect to{' '}
            <code>{webSocketUrl(endpoint)}</code> instead.
          </p>
        </>
      )}
    </div>
  );
}
