import { describe, expect, it } from 'vitest';
import { CatchUpScheduler, type RunCause, type RunVerdict } from '../../../daemon/catchup/scheduler.ts';
import { ManualClock } from '../../support/manual-clock.ts';

const POLICY = { intervalMs: 600_000, backoff: { baseMs: 5_000, capMs: 300_000, stableMs: 0 } };

/** A scheduler whose runs the test finishes by hand, in order. */
function setup() {
  const clock = new ManualClock();
  const runs: { startedAt: number; cause: RunCause; finish: (verdict: RunVerdict) => void }[] = [];
  let changes = 0;
  const scheduler = new CatchUpScheduler(
    POLICY,
    clock,
    () => 1,
    (startedAt, cause) => new Promise((resolve) => runs.push({ startedAt, cause, finish: resolve })),
    () => changes++,
  );
  // A finished run settles on the next turn of the event loop.
  const finish = async (verdict: RunVerdict) => {
    runs.at(-1)!.finish(verdict);
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { clock, runs, scheduler, finish, changes: () => changes };
}

describe('CatchUpScheduler', () => {
  it('runs when asked, and then every interval as the last net', async () => {
    const { clock, runs, scheduler, finish } = setup();
    scheduler.start();
    expect(scheduler.view()).toEqual({ state: 'idle', nextRunAt: clock.now() + POLICY.intervalMs });
    scheduler.request();
    expect(runs).toHaveLength(1);
    expect(runs[0]!.startedAt).toBe(clock.now());
    expect(scheduler.view().state).toBe('running');
    await finish({ kind: 'done' });
    expect(scheduler.view()).toEqual({ state: 'idle', nextRunAt: clock.now() + POLICY.intervalMs });
    clock.advance(POLICY.intervalMs - 1);
    expect(runs).toHaveLength(1);
    clock.advance(1);
    expect(runs.map((run) => run.cause)).toEqual(['asked', 'interval']);
  });

  it('runs once more soon when a run asks for it, never later than the interval', async () => {
    const { clock, runs, scheduler, finish } = setup();
    scheduler.start();
    scheduler.request();
    await finish({ kind: 'done', againInMs: 2_000 });
    expect(scheduler.view()).toEqual({ state: 'idle', nextRunAt: clock.now() + 2_000 });
    clock.advance(2_000);
    expect(runs.map((run) => run.cause)).toEqual(['asked', 'again']);
    await finish({ kind: 'done', againInMs: POLICY.intervalMs * 2 });
    expect(scheduler.view().nextRunAt).toBe(clock.now() + POLICY.intervalMs);
  });

  it('runs once more right after a run that was asked for again while it ran, never two at a time', async () => {
    const { runs, scheduler, finish } = setup();
    scheduler.start();
    scheduler.request();
    scheduler.request();
    scheduler.request();
    expect(runs).toHaveLength(1);
    await finish({ kind: 'done' });
    expect(runs).toHaveLength(2);
    await finish({ kind: 'done' });
    expect(runs).toHaveLength(2);
    expect(scheduler.view().state).toBe('idle');
  });

  it('retries a failure with growing backoff, at least as long as the provider asked, and keeps it when asked meanwhile', async () => {
    const { clock, runs, scheduler, finish } = setup();
    scheduler.start();
    scheduler.request();
    await finish({ kind: 'failed', minDelayMs: 0 });
    // random() = 1: the whole ceiling, base * 2^(attempt-1).
    expect(scheduler.view()).toEqual({ state: 'backoff', nextRunAt: clock.now() + 5_000 });
    scheduler.request();
    expect(runs).toHaveLength(1);
    clock.advance(5_000);
    expect(runs.map((run) => run.cause)).toEqual(['asked', 'retry']);
    await finish({ kind: 'failed', minDelayMs: 0 });
    expect(scheduler.view().nextRunAt).toBe(clock.now() + 10_000);
    clock.advance(10_000);
    await finish({ kind: 'failed', minDelayMs: 60_000 });
    expect(scheduler.view().nextRunAt).toBe(clock.now() + 60_000);
    clock.advance(60_000);
    await finish({ kind: 'done' });
    expect(scheduler.view().state).toBe('idle');
    // The attempts start over after a run that completes.
    scheduler.request();
    await finish({ kind: 'failed', minDelayMs: 0 });
    expect(scheduler.view().nextRunAt).toBe(clock.now() + 5_000);
  });

  it('does not retry a refused key by itself sooner than the interval, but tries again when asked or when the key changes', async () => {
    const { clock, runs, scheduler, finish } = setup();
    scheduler.start();
    scheduler.request();
    await finish({ kind: 'needs_key' });
    expect(scheduler.view()).toEqual({ state: 'needs_key', nextRunAt: clock.now() + POLICY.intervalMs });
    clock.advance(60_000);
    expect(runs).toHaveLength(1);
    scheduler.request();
    expect(runs).toHaveLength(2);
    await finish({ kind: 'needs_key' });
    scheduler.keyChanged();
    expect(runs).toHaveLength(3);
  });

  it('treats a run that throws as a failure', async () => {
    const clock = new ManualClock();
    const scheduler = new CatchUpScheduler(POLICY, clock, () => 1, () => Promise.reject(new Error('boom')), () => {});
    scheduler.start();
    scheduler.request();
    await new Promise((resolve) => setImmediate(resolve));
    expect(scheduler.view().state).toBe('backoff');
  });

  it('does nothing once stopped, and ignores a run that finishes after the stop', async () => {
    const { clock, runs, scheduler, finish, changes } = setup();
    scheduler.start();
    scheduler.request();
    scheduler.stop();
    await finish({ kind: 'done' });
    scheduler.request();
    clock.advance(POLICY.intervalMs * 3);
    expect(runs).toHaveLength(1);
    expect(scheduler.view()).toEqual({ state: 'stopped', nextRunAt: null });
    expect(clock.pendingCount).toBe(0);
    expect(changes()).toBeGreaterThan(0);
  });
});
