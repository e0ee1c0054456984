import { describe, expect, it } from 'vitest';
import { WAKE_DEBOUNCE_MS, WakeSignals } from '../../electron/wake-signals.ts';
import { ManualClock } from '../support/manual-clock.ts';

function setup() {
  const clock = new ManualClock();
  const wakes: string[] = [];
  const signals = new WakeSignals(WAKE_DEBOUNCE_MS, () => clock.now(), (reason) => wakes.push(reason));
  return { clock, wakes, signals };
}

describe('WakeSignals', () => {
  it('wakes the engine at once on resume and drops the echo that follows', () => {
    const { clock, wakes, signals } = setup();
    signals.suspend();
    signals.resume('resumed');
    expect(wakes).toEqual(['resumed']);
    clock.advance(300);
    signals.resume('resumed again');
    signals.resume('screen unlocked');
    expect(wakes).toEqual(['resumed']);
    clock.advance(WAKE_DEBOUNCE_MS);
    signals.resume('screen unlocked');
    expect(wakes).toEqual(['resumed', 'screen unlocked']);
  });

  it('does nothing while the machine is suspended, and wakes once on resume', () => {
    const { wakes, signals } = setup();
    signals.online(false);
    signals.suspend();
    signals.online(true);
    expect(wakes).toEqual([]);
    signals.resume('resumed');
    expect(wakes).toEqual(['resumed']);
  });

  it('wakes when the network comes back, not on the first reading nor while it stays up', () => {
    const { clock, wakes, signals } = setup();
    signals.online(true);
    signals.online(true);
    expect(wakes).toEqual([]);
    signals.online(false);
    clock.advance(10_000);
    signals.online(true);
    expect(wakes).toEqual(['the network is back']);
    signals.online(true);
    expect(wakes).toHaveLength(1);
  });

  it('counts a network return right after a resume as the same wake', () => {
    const { clock, wakes, signals } = setup();
    signals.online(false);
    signals.suspend();
    signals.resume('resumed');
    clock.advance(500);
    signals.online(true);
    expect(wakes).toEqual(['resumed']);
  });
});
