import { describe, expect, it } from 'vitest';
import { DeadlineHeap } from '../../../daemon/local-api/deadline-heap.ts';

describe('DeadlineHeap', () => {
  it('pops entries in deadline order whatever the push order', () => {
    const heap = new DeadlineHeap<{ deadline: number; id: number }>();
    const deadlines = [50, 10, 40, 10, 99, 0, 73, 20, 20, 5, 61, 33];
    deadlines.forEach((deadline, id) => {
      heap.push({ deadline, id });
    });
    expect(heap.size).toBe(deadlines.length);
    const popped: number[] = [];
    for (let entry = heap.pop(); entry !== undefined; entry = heap.pop()) popped.push(entry.deadline);
    expect(popped).toEqual([...deadlines].sort((a, b) => a - b));
    expect(heap.peek()).toBeUndefined();
  });

  it('keeps order after retaining a subset', () => {
    const heap = new DeadlineHeap<{ deadline: number; keep: boolean }>();
    for (let i = 0; i < 100; i += 1) heap.push({ deadline: (i * 37) % 101, keep: i % 3 === 0 });
    heap.retain((entry) => entry.keep);
    expect(heap.size).toBe(34);
    let last = -1;
    for (let entry = heap.pop(); entry !== undefined; entry = heap.pop()) {
      expect(entry.keep).toBe(true);
      expect(entry.deadline).toBeGreaterThanOrEqual(last);
      last = entry.deadline;
    }
  });
});
