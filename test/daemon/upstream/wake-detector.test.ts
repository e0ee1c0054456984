import { describe, expect, it } from 'vitest';
import { DEFAULT_WAKE_DETECTOR, WakeDetector } from '../../../daemon/upstream/wake-detector.ts';
import { ManualClock } from '../../support/manual-clock.ts';

describe('WakeDetector', () => {
  it('stays quiet while timers run on time', () => {
    const clock = new ManualClock();
    const wakes: number[] = [];
    new WakeDetector(DEFAULT_WAKE_DETECTOR, clock, (slept) => wakes.push(slept)).start();
    clock.advance(120_000);
    expect(wakes).toEqual([]);
  });

  it('reports a wake on the first tick after the process was suspended', () => {
    const clock = new ManualClock();
    const wakes: number[] = [];
    new WakeDetector(DEFAULT_WAKE_DETECTOR, clock, (slept) => wakes.push(slept)).start();
    clock.advance(5_500);
    clock.jump(40_000);
    clock.advance(500);
    expect(wakes).toHaveLength(1);
    expect(wakes[0]).toBeGreaterThanOrEqual(39_000);
  });

  it('stops ticking when stopped', () => {
    const clock = new ManualClock();
    const detector = new WakeDetector(DEFAULT_WAKE_DETECTOR, clock, () => {});
    detector.start();
    detector.stop();
    expect(clock.pendingCount).toBe(0);
  });
});
