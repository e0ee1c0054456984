import { describe, expect, it } from 'vitest';
import { RateWindow } from '../../../../daemon/demo/rest/rate-window.ts';

describe('RateWindow', () => {
  it('allows the limit within the window, then tells how long until the oldest request leaves it', () => {
    let now = 1_000_000;
    const window = new RateWindow(3, 60_000, () => now);
    expect([window.take(), window.take()]).toEqual([0, 0]);
    now += 20_000;
    expect(window.take()).toBe(0);
    expect(window.take()).toBe(40);
    now += 39_500;
    expect(window.wait()).toBe(1);
    now += 500;
    expect(window.take()).toBe(0);
    expect(window.take()).toBe(0);
    expect(window.take()).toBe(20);
  });

  it('does not count refused requests', () => {
    let now = 0;
    const window = new RateWindow(1, 1_000, () => now);
    expect(window.take()).toBe(0);
    for (let i = 0; i < 5; i++) expect(window.take()).toBe(1);
    now = 1_000;
    expect(window.take()).toBe(0);
  });
});
