// Runs against the fake 'electron' module: the Electron runtime cannot be had on this machine.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { watchPower } from '../../electron/power.ts';
import { WAKE_DEBOUNCE_MS, WakeSignals } from '../../electron/wake-signals.ts';
import { net, powerMonitor, resetFakeElectron } from './fake-electron.ts';

vi.mock('electron', () => import('./fake-electron.ts'));

describe('watchPower', () => {
  beforeEach(() => {
    resetFakeElectron();
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  function setup() {
    const wake = vi.fn<(reason: string) => void>();
    const onAwake = vi.fn();
    const stop = watchPower(new WakeSignals(WAKE_DEBOUNCE_MS, Date.now, wake), { onAwake }, 1_000);
    return { wake, onAwake, stop };
  }

  it('calls wake() on resume, once for a resume that fires twice, and again on a later unlock', () => {
    const { wake, onAwake } = setup();
    powerMonitor.emit('suspend');
    powerMonitor.emit('resume');
    powerMonitor.emit('resume');
    expect(wake).toHaveBeenCalledTimes(1);
    expect(wake).toHaveBeenCalledWith('the system resumed from sleep');
    expect(onAwake).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(WAKE_DEBOUNCE_MS);
    powerMonitor.emit('unlock-screen');
    expect(wake).toHaveBeenCalledTimes(2);
    expect(wake).toHaveBeenLastCalledWith('the screen was unlocked');
  });

  it('polls connectivity and wakes the engine when it returns', () => {
    const { wake } = setup();
    net.online = false;
    vi.advanceTimersByTime(1_000);
    expect(wake).not.toHaveBeenCalled();
    net.online = true;
    vi.advanceTimersByTime(1_000);
    expect(wake).toHaveBeenCalledWith('the network is back');
  });

  it('stops listening and polling when stopped', () => {
    const { wake, stop } = setup();
    stop();
    expect(powerMonitor.listenerCount('resume')).toBe(0);
    expect(powerMonitor.listenerCount('suspend')).toBe(0);
    expect(powerMonitor.listenerCount('unlock-screen')).toBe(0);
    net.online = false;
    vi.advanceTimersByTime(1_000);
    net.online = true;
    vi.advanceTimersByTime(1_000);
    powerMonitor.emit('resume');
    expect(wake).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });
});
