import { describe, expect, it } from 'vitest';
import { createListeners } from '../../../renderer/data/listeners.ts';

describe('createListeners', () => {
  it('tells when the first listener arrives and the last one leaves', () => {
    const calls: string[] = [];
    const listeners = createListeners<number>(() => calls.push('first'), () => calls.push('last'));
    const seen: number[] = [];
    const offA = listeners.add((value) => seen.push(value));
    const offB = listeners.add((value) => seen.push(value * 10));
    listeners.emit(1);
    offA();
    offA();
    listeners.emit(2);
    offB();
    expect(seen).toEqual([1, 10, 20]);
    expect(calls).toEqual(['first', 'last']);
    expect(listeners.size).toBe(0);
  });

  it('lets the same function subscribe twice, each unsubscribe removing one', () => {
    const listeners = createListeners<string>();
    const seen: string[] = [];
    const listener = (value: string): void => void seen.push(value);
    const off = listeners.add(listener);
    listeners.add(listener);
    off();
    listeners.emit('x');
    expect(seen).toEqual(['x']);
  });
});
