import { describe, expect, it } from 'vitest';
import { DEFAULT_HEARTBEAT, Heartbeat } from '../../../daemon/upstream/heartbeat.ts';
import { ManualClock } from '../../support/manual-clock.ts';

function setup() {
  const clock = new ManualClock();
  const events: string[] = [];
  const heartbeat = new Heartbeat(DEFAULT_HEARTBEAT, clock, () => events.push(`ping@${clock.now()}`), () => events.push(`dead@${clock.now()}`));
  return { clock, events, heartbeat, t0: clock.now() };
}

describe('Heartbeat', () => {
  it('pings on the interval and stays quiet while the peer answers', () => {
    const { clock, events, heartbeat } = setup();
    heartbeat.start();
    for (let i = 0; i < 5; i++) {
      clock.advance(10_000);
      heartbeat.alive();
    }
    expect(events.filter((e) => e.startsWith('ping'))).toHaveLength(5);
    expect(events.some((e) => e.startsWith('dead'))).toBe(false);
  });

  it('declares a silent socket dead within 25 s with the defaults', () => {
    const { clock, events, heartbeat, t0 } = setup();
    heartbeat.start();
    clock.advance(60_000);
    const dead = events.filter((e) => e.startsWith('dead'));
    expect(dead).toHaveLength(1);
    expect(Number(dead[0]!.split('@')[1]) - t0).toBeLessThanOrEqual(25_000);
  });

  it('detects a socket that dies right after answering within interval + timeout', () => {
    const { clock, events, heartbeat } = setup();
    heartbeat.start();
    clock.advance(10_000);
    heartbeat.alive();
    const lastProof = clock.now();
    clock.advance(60_000);
    const deadAt = Number(events.find((e) => e.startsWith('dead'))!.split('@')[1]);
    expect(deadAt - lastProof).toBeLessThanOrEqual(DEFAULT_HEARTBEAT.intervalMs + DEFAULT_HEARTBEAT.timeoutMs);
  });

  it('does nothing after stop', () => {
    const { clock, events, heartbeat } = setup();
    heartbeat.start();
    heartbeat.stop();
    clock.advance(60_000);
    expect(events).toEqual([]);
    expect(clock.pendingCount).toBe(0);
  });
});
