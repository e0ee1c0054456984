// The OS's power and network signals, fed to WakeSignals. Electron's powerMonitor sees sleep directly, so
// the engine runs without its timer-based wake detector inside the tray app.
import { net, powerMonitor } from 'electron';
import type { WakeSignals } from './wake-signals.ts';

/** net.isOnline() is a cheap local check (no network traffic); polling it catches Wi-Fi changes while awake. */
export const ONLINE_POLL_MS = 3_000;

export interface PowerHooks {
  /** On every resume or unlock, debounced or not: the notification policy dates the backlog from here. */
  onAwake(): void;
}

export function watchPower(signals: WakeSignals, hooks: PowerHooks, pollMs: number = ONLINE_POLL_MS): () => void {
  const onSuspend = () => signals.suspend();
  const onResume = () => {
    hooks.onAwake();
    signals.resume('the system resumed from sleep');
  };
  const onUnlock = () => {
    hooks.onAwake();
    signals.resume('the screen was unlocked');
  };
  powerMonitor.on('suspend', onSuspend);
  powerMonitor.on('resume', onResume);
  powerMonitor.on('unlock-screen', onUnlock);
  signals.online(net.isOnline());
  const poll = setInterval(() => signals.online(net.isOnline()), pollMs);
  poll.unref();
  return () => {
    clearInterval(poll);
    powerMonitor.off('suspend', onSuspend);
    powerMonitor.off('resume', onResume);
    powerMonitor.off('unlock-screen', onUnlock);
  };
}
