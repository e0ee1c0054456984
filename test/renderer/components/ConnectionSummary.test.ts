import { describe, expect, it } from 'vitest';
import type { DaemonStatus, UpstreamStatus } from '../../../shared/status.ts';
import { summarize } from '../../../renderer/components/ConnectionSummary.tsx';
import { ApiError } from '../../../renderer/data/api-error.ts';

function status(...states: UpstreamStatus['state'][]): DaemonStatus {
  return {
    version: '0.1.0',
    pid: 1,
    startedAt: '2026-11-23T00:00:00.000Z',
    dataDir: 'data',
    demo: false,
    accounts: states.map((state, index) => ({ account: `a${index}`, state }) as UpstreamStatus),
    endpoint: null,
    store: { events: 0, latestSeq: 0, oldestSeq: null },
    consumers: [],
    forwards: [],
    engine: 'laptop',
    sinks: [],
  };
}

describe('summarize', () => {
  it('says whether mail is getting through, worst news first', () => {
    expect(summarize(null, null)).toEqual({ tone: 'idle', text: 'Connecting…' });
    expect(summarize(status(), null)).toEqual({ tone: 'idle', text: 'No accounts' });
    expect(summarize(status('live'), null)).toEqual({ tone: 'good', text: 'Live' });
    expect(summarize(status('live', 'live'), null)).toEqual({ tone: 'good', text: 'All 2 live' });
    expect(summarize(status('live', 'backoff'), null)).toEqual({ tone: 'warn', text: '1 of 2 live' });
    expect(summarize(status('live', 'needs_key'), null)).toEqual({ tone: 'bad', text: 'Needs API key' });
    expect(summarize(status('live'), new ApiError(0, 'unreachable', 'gone'))).toEqual({ tone: 'bad', text: 'Engine unreachable' });
  });
});
