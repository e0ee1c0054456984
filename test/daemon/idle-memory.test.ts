import { describe, expect, it } from 'vitest';
import { DEFAULT_IDLE_MEMORY, heapBytes, IdleMemory, reducingCollection } from '../../daemon/idle-memory.ts';
import { ManualClock } from '../support/manual-clock.ts';

const POLICY = { afterStartMs: 5_000, quietMs: 30_000, minGrowthBytes: 8_000_000 };

function reducer() {
  const clock = new ManualClock();
  let heap = 50_000_000;
  const runs: number[] = [];
  const idle = new IdleMemory(POLICY, clock, () => heap, () => {
    runs.push(clock.now());
    heap -= 20_000_000;
  });
  return { idle, clock, runs, grow: (bytes: number) => (heap += bytes) };
}

describe('IdleMemory', () => {
  it('collects once start-up is over, then not again while the heap has not grown', () => {
    const { idle, clock, runs } = reducer();
    idle.start();
    clock.advance(4_999);
    expect(runs).toHaveLength(0);
    clock.advance(1);
    expect(runs).toHaveLength(1);
    idle.noteActivity();
    clock.advance(120_000);
    expect(runs).toHaveLength(1);
    expect(clock.pendingCount).toBe(0);
  });

  it('waits for a whole quiet period after the last commit, and collects then if the heap grew', () => {
    const { idle, clock, runs, grow } = reducer();
    idle.start();
    clock.advance(5_000);
    grow(30_000_000);
    for (let i = 0; i < 10; i++) {
      idle.noteActivity();
      clock.advance(10_000);
    }
    expect(runs).toHaveLength(1);
    clock.advance(60_000);
    expect(runs).toHaveLength(2);
  });

  it('does nothing once stopped', () => {
    const { idle, clock, runs } = reducer();
    idle.start();
    idle.stop();
    idle.noteActivity();
    clock.advance(60_000);
    expect(runs).toEqual([]);
    expect(DEFAULT_IDLE_MEMORY.quietMs).toBeGreaterThan(DEFAULT_IDLE_MEMORY.afterStartMs);
  });

  it("runs V8's reducing collection, which returns the young generation a burst grew to the operating system", () => {
    const collect = reducingCollection();
    expect(collect).not.toBeNull();
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
    // Garbage that lives only in this call: unreachable once it returns.
    const grown = ((): number => {
      const garbage = Array.from({ length: 200_000 }, (_, i) => ({ i, text: `item ${i}` }));
      return garbage.length > 0 ? heapBytes() : 0;
    })();
    collect!();
    expect(heapBytes()).toBeLessThan(grown);
  });
});
