// One running tray app, and an engine that is always stopped before the process exits.
import { app } from 'electron';

/** False when another instance runs: this one should quit. That instance is told and shows its window. */
export function claimSingleInstance(onSecondLaunch: () => void): boolean {
  if (!app.requestSingleInstanceLock()) return false;
  app.on('second-instance', () => onSecondLaunch());
  return true;
}

/**
 * Holds the quit until `stop` has finished (closing the database, releasing the data-dir lock, letting the
 * endpoint file go), then quits for real. A second quit request while stopping changes nothing.
 */
export function stopBeforeQuit(stop: () => Promise<void>, onError: (error: unknown) => void): void {
  let state: 'running' | 'stopping' | 'stopped' = 'running';
  app.on('before-quit', (event) => {
    if (state === 'stopped') return;
    event.preventDefault();
    if (state === 'stopping') return;
    state = 'stopping';
    stop()
      .catch(onError)
      .finally(() => {
        state = 'stopped';
        app.quit();
      });
  });
}
