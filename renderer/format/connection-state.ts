// How each upstream state reads at a glance: a word and a tone for the badge.
import type { ConnectionState } from '../../shared/status.ts';

export type Tone = 'good' | 'busy' | 'warn' | 'bad' | 'idle';

const STATES: Readonly<Record<ConnectionState, { label: string; tone: Tone }>> = {
  live: { label: 'Live', tone: 'good' },
  connecting: { label: 'Connecting', tone: 'busy' },
  subscribing: { label: 'Subscribing', tone: 'busy' },
  stale: { label: 'Stale', tone: 'warn' },
  backoff: { label: 'Reconnecting', tone: 'warn' },
  needs_key: { label: 'Needs API key', tone: 'bad' },
  stopped: { label: 'Stopped', tone: 'idle' },
};

export function describeState(state: ConnectionState): { label: string; tone: Tone } {
  return STATES[state];
}
