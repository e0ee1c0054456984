import { describe, expect, it } from 'vitest';
import { attachmentsLine, catchUpLine } from '../../daemon/cli-output.ts';
import type { CatchUpStatus } from '../../shared/status.ts';

const IDLE: CatchUpStatus = {
  state: 'idle',
  lastRunAt: '2026-11-20T12:00:00.000Z',
  lastRecovered: 20,
  recovered: 24,
  gap: null,
  lastError: null,
  nextRunAt: '2026-11-20T12:10:00.000Z',
  skipped: 0,
};

describe('catchUpLine', () => {
  it('says when the last catch-up ran and what it recovered', () => {
    expect(catchUpLine('work', IDLE)).toMatch(/^work · last \d\d:\d\d:\d\d, 20 recovered$/);
  });

  it('says a gap is open, why, and what failed', () => {
    const line = catchUpLine('work', {
      ...IDLE,
      state: 'backoff',
      lastRunAt: null,
      gap: { at: '2026-11-20T12:01:00.000Z', reason: 'agentmail cannot replay what arrived while the socket was down' },
      lastError: 'GET /v0/inboxes: HTTP 503',
    });
    expect(line).toMatch(
      /^work · none yet · retry at \d\d:\d\d:\d\d · gap open since \d\d:\d\d:\d\d: agentmail cannot replay what arrived while the socket was down · GET \/v0\/inboxes: HTTP 503$/,
    );
  });

  it('says when it is off or needs a key', () => {
    expect(catchUpLine('work', { ...IDLE, state: 'off', lastRunAt: null })).toBe('work · off (message.received is filtered out)');
    expect(catchUpLine('work', { ...IDLE, state: 'needs_key' })).toContain('needs key');
  });
});

describe('attachmentsLine', () => {
  const KEPT = { kept: 12, pending: 1, failed: 0, evicted: 0, bytes: 3 * 1024 * 1024, maxFileBytes: 25 * 1024 * 1024, maxTotalBytes: 2 * 1024 ** 3, lastError: null };

  it('says what is kept and pending, and the space used against the limit', () => {
    expect(attachmentsLine(KEPT)).toBe('12 kept · 1 pending · 0 failed · 3.0 of 2048.0 MB');
  });

  it('adds files removed for the limit and the last error', () => {
    const line = attachmentsLine({ ...KEPT, evicted: 2, lastError: { at: new Date().toISOString(), message: '"a.pdf" could not be written: the disk is full' } });
    expect(line).toMatch(/^12 kept · 1 pending · 0 failed · 2 removed for the limit · 3\.0 of 2048\.0 MB · last error \d\d:\d\d:\d\d: "a\.pdf" could not be written: the disk is full$/);
  });
});
