// The title bar's one-glance answer to "is mail getting through?".
import type { ReactNode } from 'react';
import type { DaemonStatus } from '../../shared/status.ts';
import type { ApiError } from '../data/api-error.ts';
import type { Tone } from '../format/connection-state.ts';

export function summarize(status: DaemonStatus | null, problem: ApiError | null): { tone: Tone; text: string } {
  if (problem !== null) return { tone: 'bad', text: 'Engine unreachable' };
  if (status === null) return { tone: 'idle', text: 'Connecting…' };
  const total = status.accounts.length;
  if (total === 0) return { tone: 'idle', text: 'No accounts' };
  const live = status.accounts.filter((account) => account.state === 'live').length;
  if (live === total) return { tone: 'good', text: total === 1 ? 'Live' : `All ${total} live` };
  if (status.accounts.some((account) => account.state === 'needs_key')) return { tone: 'bad', text: 'Needs API key' };
  return { tone: 'warn', text: `${live} of ${total} live` };
}

export function ConnectionSummary({ status, problem }: { status: DaemonStatus | null; problem: ApiError | null }): ReactNode {
  const { tone, text } = summarize(status, problem);
  return (
    <span className={`badge tone-${tone}`} role="status">
      <span className="badge-dot" aria-hidden="true" />
      {text}
    </span>
  );
}
