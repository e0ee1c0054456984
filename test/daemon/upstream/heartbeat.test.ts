import { describe, expect, it } from 'vitest';
import { DEFAULT_HEARTBEAT, Heartbeat } from '../../../daemon/upstream/heartbeat.ts';
import { ManualClock } from '../../support/manual-clock.ts';

function setup() {
  const clock = new ManualClock();
  const events: string[] = [];
  const heartbeat = new Heartbeat(DEFAULT_HEARTBEAT, clock, () => events.push(`ping@${clock.now()}`), () => events.push(`dead@${clock.now()}`));
  return { clock, events, heartbeat, t0: clock.now() };
}

const at = (events: string[], kind: 'ping' | 'dead') => events.filter((e) => e.startsWith(kind)).map((e) => Number(e.split('@')[1]));

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
    expect(deadAt - lastProof).toBeLessThanOrEqual(DEFAULT_HEARTBEAT.quietMs + DEFAULT_HEARTBEAT.timeoutMs);
  });

  it('does nothing after stop', () => {
    const { clock, events, heartbeat } = setup();
    heartbeat.start();
    heartbeat.stop();
    clock.advance(60_000);
    expect(events).toEqual([]);
    expect(clock.pendingCount).toBe(0);
  });

  it('finds a socket dead within 15 s of its last frame with the defaults, whenever that frame came', () => {
    // The socket dies right after its last frame, at every phase of the heartbeat's cycle, answered pong included.
    for (let offset = 0; offset <= 30_000; offset += 250) {
      const { clock, events, heartbeat } = setup();
      heartbeat.start();
      for (let t = 0; t < offset; t += 1_000) {
        clock.advance(Math.min(1_000, offset - t));
        // A peer that answers every ping at once, and sends an event now and then.
        if (at(events, 'ping').at(-1) === clock.now() || t % 7_000 === 0) heartbeat.alive();
      }
      heartbeat.alive();
      const lastFrame = clock.now();
      clock.advance(60_000);
      const dead = at(events, 'dead');
      expect(dead).toHaveLength(1);
      expect(dead[0]! - lastFrame).toBe(DEFAULT_HEARTBEAT.quietMs + DEFAULT_HEARTBEAT.timeoutMs);
      expect(dead[0]! - lastFrame).toBeLessThanOrEqual(15_000);
    }
  });

  it('does not ping while frames keep arriving', () => {
    const { clock, events, heartbeat } = setup();
    heartbeat.start();
    for (let i = 0; i < 120; i++) {
      clock.advance(9_000);
      heartbeat.alive();
    }
    expect(events).toEqual([]);
  });

  it('costs one ping per quiet period on an idle socket whose peer answers', () => {
    const clock = new ManualClock();
    const pings: number[] = [];
    const dead: number[] = [];
    const heartbeat: Heartbeat = new Heartbeat(
      DEFAULT_HEARTBEAT,
      clock,
      () => {
        pings.push(clock.now());
        heartbeat.alive();
      },
      () => dead.push(clock.now()),
    );
    heartbeat.start();
    clock.advance(60_000);
    expect(pings).toHaveLength(60_000 / DEFAULT_HEARTBEAT.quietMs);
    expect(dead).toEqual([]);
  });

  it('keeps a socket whose answer comes late but before the deadline', () => {
    const { clock, events, heartbeat } = setup();
    heartbeat.start();
    clock.advance(DEFAULT_HEARTBEAT.quietMs + DEFAULT_HEARTBEAT.timeoutMs - 1);
    heartbeat.alive();
    clock.advance(1);
    expect(at(events, 'ping')).toHaveLength(1);
    expect(at(events, 'dead')).toEqual([]);
  });

  it('keeps watching after the wall clock is set back', () => {
    // Timers run on a monotonic clock; only the wall clock that dates frames moves back.
    const clock = new ManualClock();
    let offset = 0;
    const wall = { now: () => clock.now() + offset, setTimeout: clock.setTimeout.bind(clock), clearTimeout: clock.clearTimeout.bind(clock) };
    const dead: number[] = [];
    const heartbeat = new Heartbeat(DEFAULT_HEARTBEAT, wall, () => {}, () => dead.push(clock.now()));
    heartbeat.start();
    clock.advance(1_000);
    heartbeat.alive();
    const lastFrame = clock.now();
    offset = -3_600_000;
    clock.advance(60_000);
    expect(dead).toHaveLength(1);
    expect(dead[0]! - lastFrame).toBeLessThanOrEqual(2 * DEFAULT_HEARTBEAT.quietMs + DEFAULT_HEARTBEAT.timeoutMs);
  });
});
