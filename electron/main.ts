// The tray app's composition root: one instance, the engine in this process with Electron's userData as its
// data dir, a tray icon, native notifications, the window on demand, launch at login, and a clean stop.
// Everything that decides something lives in the pure modules beside this file; this only wires them.
import fs from 'node:fs';
import path from 'node:path';
import { app, clipboard } from 'electron';
import { MESSAGE_RECEIVED, type StoredEvent } from '../shared/event.ts';
import { DEFAULT_SETTINGS, type NotificationSettings } from '../shared/settings.ts';
import type { Daemon } from '../daemon/daemon.ts';
import { startEngine, type Engine } from '../daemon/engine.ts';
import { createLogger, errorMessage } from '../daemon/log.ts';
import { defaultDataDir } from '../daemon/paths.ts';
import { SecretStore } from '../daemon/store/secrets.ts';
import { openSettings, type SettingsStore } from '../daemon/store/settings.ts';
import { systemTimers } from '../daemon/clock.ts';
import { claimSingleInstance, stopBeforeQuit } from './app-lifecycle.ts';
import { appFiles } from './app-files.ts';
import { openAttachment, saveAttachment } from './attachment-files.ts';
import { APP_ID } from './app-identity.ts';
import { engineOptions } from './engine-options.ts';
import { confirmAndOpenExternal } from './external-links.ts';
import { ipcHandlers, registerIpc } from './ipc.ts';
import { applyLaunchAtLogin } from './login-item.ts';
import { DEFAULT_NOTIFICATION_POLICY, NotificationPolicy } from './notification-policy.ts';
import { NativeNotifications } from './notifications.ts';
import { watchPower } from './power.ts';
import { RecentMail } from './recent-mail.ts';
import { ReconnectWatch } from './reconnects.ts';
import { TrayIcon } from './tray.ts';
import { MENU_MAILS, presentTray, type EngineState, type TrayAction, type TrayState } from './tray-presenter.ts';
import { WAKE_DEBOUNCE_MS, WakeSignals } from './wake-signals.ts';
import { MainWindow } from './window.ts';

/** Status can change many times a second during a replay; the menu is rebuilt at most this often. */
const REDRAW_MS = 200;
/** Keeps time-based text (a pause running out) current. */
const REFRESH_MS = 30_000;

const platform = process.platform;
const files = appFiles(app.getAppPath());
const log = createLogger('info');
const recent = new RecentMail(MENU_MAILS);
const mainWindow = new MainWindow({
  files,
  platform,
  onSeen: () => recent.markRead() && redraw(),
  report: (error) => log.warn(`window: ${errorMessage(error)}`),
});
const notifications = new NativeNotifications(platform === 'linux' ? files.appIcon : undefined, (target) =>
  mainWindow.show(target.kind === 'event' ? target.seq : undefined),
);
const policy = new NotificationPolicy(DEFAULT_NOTIFICATION_POLICY, systemTimers, (notice) => notifications.show(notice));
const reconnects = new ReconnectWatch();

let engine: EngineState = { kind: 'starting' };
let daemon: Daemon | null = null;
/** A quit during start waits for the engine, so it can still close its database and release the data dir. */
let starting: Promise<Engine> | null = null;
let settings: SettingsStore | null = null;
let tray: TrayIcon | null = null;
let redrawTimer: NodeJS.Timeout | null = null;
let stopping = false;
const cleanups: (() => void)[] = [];

// Windows ties notifications to the Start-menu shortcut with this id (the installer creates it from appId).
if (platform === 'win32') app.setAppUserModelId(APP_ID);
// The tray app and `mailbridge run` share one store (the engine's instance lock keeps them from running at
// once), whatever name package.json gives the app; MAILBRIDGE_DATA_DIR moves both.
app.setPath('userData', defaultDataDir());

if (claimSingleInstance(() => mainWindow.show())) {
  stopBeforeQuit(stop, (error) => log.error(`stopping failed: ${errorMessage(error)}`));
  // A tray app lives on with every window closed.
  app.on('window-all-closed', () => {});
  // macOS: opening the app again from Finder or Spotlight while it runs.
  app.on('activate', () => mainWindow.show());
  app
    .whenReady()
    .then(run)
    .catch((error: unknown) => fail(error));
} else {
  app.quit();
}

async function run(): Promise<void> {
  // A menu-bar app: no Dock icon (the packaged app also sets LSUIElement, so it never flashes one).
  app.dock?.hide();
  tray = new TrayIcon(files.trayIconDir, platform, presentTray(trayState()), onTrayAction);
  const refresh = setInterval(redraw, REFRESH_MS);
  cleanups.push(() => clearInterval(refresh));

  const dataDir = app.getPath('userData');
  const store = openSettings(dataDir);
  settings = store;
  const secrets = new SecretStore();
  const current = store.get();
  // The same window served to a browser by the local endpoint reaches the same control calls over HTTP.
  starting = startEngine({
    ...engineOptions({
      dataDir,
      settings: current,
      secrets,
      log,
      dashboardDir: fs.existsSync(path.join(files.rendererDir, 'index.html')) ? files.rendererDir : null,
    }),
    settings: store,
    secrets,
  });
  const { daemon: started, control } = await starting;
  daemon = started;

  // Whatever the provider replays right after start is mail that came while the app was not running.
  policy.markAwake();
  cleanups.push(
    started.hub.onCommitted((events) => {
      if (recent.add(events)) {
        if (mainWindow.focused) recent.markRead();
        redraw();
      }
      policy.offer(events, notificationSettings());
      mainWindow.send('events:committed', events);
    }),
    started.onStatus((status) => {
      if (reconnects.observe(status.accounts)) policy.markAwake();
      engine = { kind: 'running', status };
      mainWindow.send('status:changed', status);
      redraw();
    }),
    store.onDidAnyChange((next, previous) => {
      if (next.launchAtLogin !== previous?.launchAtLogin) syncLaunchAtLogin(next.launchAtLogin);
      redraw();
    }),
    registerIpc(
      ipcHandlers(control, {
        copyToken,
        openExternal: (url) => confirmAndOpenExternal(url, mainWindow.current),
        openAttachment: (localUrl) => openAttachment(localUrl, started.attachments, app.getPath('temp')),
        saveAttachment: (localUrl) => saveAttachment(localUrl, started.attachments, app.getPath('downloads'), mainWindow.current),
      }),
      files.rendererUrl,
    ),
    watchPower(new WakeSignals(WAKE_DEBOUNCE_MS, Date.now, (reason) => wake(reason)), { onAwake: () => policy.markAwake() }),
  );

  const status = started.status();
  reconnects.observe(status.accounts);
  engine = { kind: 'running', status };
  syncLaunchAtLogin(current.launchAtLogin);
  redraw();
  try {
    const history = await control.history({ event_type: MESSAGE_RECEIVED, limit: MENU_MAILS });
    recent.seed(history.items.map((item): StoredEvent => ({ ...item.event, seq: item.seq })));
    redraw();
  } catch (error) {
    log.warn(`could not read the latest mail: ${errorMessage(error)}`);
  }
}

function fail(error: unknown): void {
  // Most often another Mailbridge (the headless one) holds the data dir: the tray says so and stays.
  log.error(`could not start: ${errorMessage(error)}`);
  engine = { kind: 'failed', message: errorMessage(error) };
  redraw();
}

function trayState(): TrayState {
  return { engine, latestMail: recent.latest, unread: recent.unread, notifications: notificationSettings(), now: Date.now(), platform };
}

function redraw(): void {
  if (stopping) return;
  redrawTimer ??= setTimeout(() => {
    redrawTimer = null;
    tray?.render(presentTray(trayState()));
  }, REDRAW_MS);
}

function notificationSettings(): NotificationSettings {
  try {
    return settings?.get('notifications') ?? DEFAULT_SETTINGS.notifications;
  } catch (error) {
    log.warn(`could not read the notification settings: ${errorMessage(error)}`);
    return DEFAULT_SETTINGS.notifications;
  }
}

function onTrayAction(action: TrayAction): void {
  switch (action.type) {
    case 'open':
      return mainWindow.show();
    case 'show-mail':
      return mainWindow.show(action.seq);
    case 'pause-notifications':
      return setPausedUntil(action.until);
    case 'resume-notifications':
      return setPausedUntil(null);
    case 'copy-agent-url':
      return attempt('copy the agent URL', clipboard.writeText(action.url));
    case 'copy-token':
      return attempt('copy the token', copyToken());
    case 'reconnect':
      return wake('reconnect requested from the tray');
    case 'quit':
      return app.quit();
  }
}

function attempt(what: string, task: Promise<void>): void {
  task.catch((error: unknown) => log.warn(`could not ${what}: ${errorMessage(error)}`));
}

function setPausedUntil(until: string | null): void {
  try {
    settings?.update((current) => ({ ...current, notifications: { ...current.notifications, pausedUntil: until } }));
  } catch (error) {
    log.warn(`could not change the notification pause: ${errorMessage(error)}`);
  }
}

function wake(reason: string): void {
  log.info(`reconnecting: ${reason}`);
  daemon?.wake(reason);
}

async function copyToken(): Promise<void> {
  const tokenFile = daemon?.endpoint?.tokenFile;
  if (!tokenFile) throw new Error('the local endpoint is not running');
  await clipboard.writeText((await fs.promises.readFile(tokenFile, 'utf8')).trim());
}

function syncLaunchAtLogin(enabled: boolean): void {
  try {
    if (!applyLaunchAtLogin(enabled)) log.info('launch at login applies to the installed app only');
  } catch (error) {
    log.warn(`could not change launch at login: ${errorMessage(error)}`);
  }
}

async function stop(): Promise<void> {
  stopping = true;
  mainWindow.destroy();
  await starting?.catch(() => undefined);
  policy.stop();
  if (redrawTimer) clearTimeout(redrawTimer);
  for (const cleanup of cleanups.splice(0)) cleanup();
  await daemon?.stop();
  tray?.destroy();
}
