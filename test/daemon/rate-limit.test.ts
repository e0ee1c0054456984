import { describe, expect, it } from 'vitest';
import { SlidingWindow } from '../../daemon/rate-limit.ts';

describe('SlidingWindow', () => {
  it('allows 30 frames in 10 s and makes the 31st wait for the oldest to age out', () => {
    const window = new SlidingWindow(30, 10_000);
    for (let i = 0; i < 30; i++) {
      expect(window.waitMs(1_000 + i)).toBe(0);
      window.record(1_000 + i);
    }
    expect(window.waitMs(1_100)).toBe(10_000 - 100);
    expect(window.waitMs(11_000)).toBe(0);
  });

  it('never lets more than the budget through in any window', () => {
    const window = new SlidingWindow(30, 10_000);
    const sent: number[] = [];
    for (let now = 0; now < 60_000; now += 50) {
      if (window.waitMs(now) === 0) {
        window.record(now);
        sent.push(now);
      }
    }
    for (const start of sent) expect(sent.filter((t) => t >= start && t < start + 10_000).length).toBeLessThanOrEqual(30);
    expect(sent.length).toBeGreaterThanOrEqual(180);
  });
});
