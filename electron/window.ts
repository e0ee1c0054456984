// The one window, created on demand and destroyed when closed (a tray app should not hold a renderer
// process nobody looks at). Sandboxed, isolated, no Node, a strict CSP, no navigation away and no popups.
import { BrowserWindow, app, session, type Session } from 'electron';
import type { IpcEventName, IpcEvents } from '../shared/ipc.ts';
import { APP_NAME } from './app-identity.ts';
import type { AppFiles } from './app-files.ts';
import { confirmAndOpenExternal } from './external-links.ts';
import { isAllowedWindowRequest, withContentSecurityPolicy } from './window-security.ts';

/** Its own session, so the request filter and permission denials below touch nothing else in the app. */
const PARTITION = 'persist:window';

export interface MainWindowOptions {
  files: AppFiles;
  platform: NodeJS.Platform;
  /** The person looked at the window (shown or focused). */
  onSeen(): void;
  /** A failure with nobody to show it to: the page did not load, a link did not open. */
  report(error: unknown): void;
}

export class MainWindow {
  readonly #o: MainWindowOptions;
  #window: BrowserWindow | null = null;
  #loaded = false;
  #pendingShow: number | null = null;
  #session: Session | null = null;

  constructor(options: MainWindowOptions) {
    this.#o = options;
  }

  get current(): BrowserWindow | null {
    return this.#window;
  }

  /** The person is looking at it: new mail is not unread. */
  get focused(): boolean {
    return this.#window?.isFocused() ?? false;
  }

  /** Brings the window up (creating it if needed), on the mail with this seq when given. */
  show(seq?: number): void {
    const existing = this.#window;
    const window = existing ?? this.#create();
    if (seq !== undefined) {
      if (this.#loaded) window.webContents.send('event:show', seq);
      else this.#pendingShow = seq;
    }
    if (!existing) return;
    if (window.isMinimized()) window.restore();
    window.show();
    this.#focus(window);
  }

  /** Pushes to the renderer once it has loaded; before that it reads the current state itself. */
  send<E extends IpcEventName>(event: E, payload: IpcEvents[E]): void {
    if (this.#window && this.#loaded) this.#window.webContents.send(event, payload);
  }

  destroy(): void {
    this.#window?.destroy();
  }

  #create(): BrowserWindow {
    const { files, platform } = this.#o;
    const window = new BrowserWindow({
      width: 980,
      height: 680,
      minWidth: 640,
      minHeight: 420,
      show: false,
      title: APP_NAME,
      ...(platform === 'linux' ? { icon: files.appIcon } : {}),
      webPreferences: {
        preload: files.preload,
        session: this.#windowSession(),
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        webviewTag: false,
        navigateOnDragDrop: false,
        spellcheck: false,
      },
    });
    // The macOS menu bar keeps its Edit menu (copy and paste need it); elsewhere a menu bar is just clutter.
    if (platform !== 'darwin') window.removeMenu();
    this.#window = window;
    this.#loaded = false;

    const { webContents } = window;
    const offerExternal = (url: string) => void confirmAndOpenExternal(url, window).catch(this.#o.report);
    webContents.setWindowOpenHandler(({ url }) => {
      offerExternal(url);
      return { action: 'deny' };
    });
    webContents.on('will-navigate', (event) => {
      // The renderer routes inside its page; any real navigation would leave our code behind.
      event.preventDefault();
      offerExternal(event.url);
    });
    webContents.on('will-attach-webview', (event) => event.preventDefault());
    webContents.on('did-finish-load', () => {
      this.#loaded = true;
      if (this.#pendingShow !== null) webContents.send('event:show', this.#pendingShow);
      this.#pendingShow = null;
    });
    window.once('ready-to-show', () => {
      window.show();
      this.#focus(window);
    });
    window.on('focus', () => this.#o.onSeen());
    window.on('closed', () => {
      if (this.#window === window) this.#window = null;
      this.#loaded = false;
      this.#pendingShow = null;
    });
    window.loadURL(files.rendererUrl).catch(this.#o.report);
    return window;
  }

  #focus(window: BrowserWindow): void {
    // Without a dock icon the app is an accessory on macOS: it must take focus explicitly.
    if (this.#o.platform === 'darwin') app.focus({ steal: true });
    window.focus();
    this.#o.onSeen();
  }

  #windowSession(): Session {
    if (this.#session) return this.#session;
    const windowSession = session.fromPartition(PARTITION);
    const { rendererDir } = this.#o.files;
    windowSession.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !isAllowedWindowRequest(details.url, rendererDir) }));
    windowSession.webRequest.onHeadersReceived((details, callback) =>
      callback({ responseHeaders: withContentSecurityPolicy(details.responseHeaders) }),
    );
    windowSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
    windowSession.setPermissionCheckHandler(() => false);
    this.#session = windowSession;
    return windowSession;
  }
}
