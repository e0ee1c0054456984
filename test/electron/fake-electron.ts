// A minimal stand-in for the 'electron' module, for the adapters' tests. The Electron runtime cannot be had
// on this machine (its binary download is unreachable; the npm package is installed for its types only), so
// tests replace the module with this fake via `vi.mock('electron', () => import('./fake-electron.ts'))`. It
// records what the adapters ask of Electron and lets a test fire Electron's events; it models no more.
import { EventEmitter } from 'node:events';
import { vi } from 'vitest';

export interface FakeEvent {
  defaultPrevented: boolean;
  preventDefault(): void;
}

export function fakeEvent<T extends object>(fields: T = {} as T): FakeEvent & T {
  const event = {
    ...fields,
    defaultPrevented: false,
    preventDefault() {
      event.defaultPrevented = true;
    },
  };
  return event;
}

class FakeApp extends EventEmitter {
  isPackaged = false;
  /** What requestSingleInstanceLock answers: false plays the second launch. */
  singleInstance = true;
  appPath = process.cwd();
  userData = '';
  quitCount = 0;
  readonly dock = { hide: vi.fn() };
  readonly requestSingleInstanceLock = vi.fn(() => this.singleInstance);
  readonly setAppUserModelId = vi.fn();
  readonly setLoginItemSettings = vi.fn();
  readonly focus = vi.fn();
  readonly getAppPath = () => this.appPath;
  readonly getPath = (name: string) => {
    if (name !== 'userData') throw new Error(`the fake app knows only userData, not ${name}`);
    return this.userData;
  };
  readonly setPath = (name: string, value: string) => {
    if (name !== 'userData') throw new Error(`the fake app knows only userData, not ${name}`);
    this.userData = value;
  };
  readonly whenReady = () => Promise.resolve();
  /** Like Electron: 'before-quit' first; a listener may prevent the quit. */
  readonly quit = vi.fn(() => {
    const event = fakeEvent();
    this.emit('before-quit', event);
    if (!event.defaultPrevented) this.quitCount++;
  });
}

class FakeWebContents extends EventEmitter {
  readonly send = vi.fn();
  openHandler: ((details: { url: string }) => { action: string }) | null = null;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.openHandler = handler;
  }
}

export class BrowserWindow extends EventEmitter {
  static instances: BrowserWindow[] = [];
  /** Makes loadURL reject, as Electron does when the page is missing. */
  static failLoads = false;
  readonly options: Record<string, unknown> & { webPreferences: Record<string, unknown> };
  readonly webContents = new FakeWebContents();
  url: string | null = null;
  minimized = false;
  focused = false;
  destroyed = false;
  readonly show = vi.fn();
  readonly focus = vi.fn(() => {
    this.focused = true;
  });
  readonly restore = vi.fn(() => {
    this.minimized = false;
  });
  readonly removeMenu = vi.fn();

  constructor(options: BrowserWindow['options']) {
    super();
    this.options = options;
    BrowserWindow.instances.push(this);
  }

  isMinimized(): boolean {
    return this.minimized;
  }

  isFocused(): boolean {
    return this.focused;
  }

  async loadURL(url: string): Promise<void> {
    this.url = url;
    if (BrowserWindow.failLoads) throw new Error('ERR_FILE_NOT_FOUND');
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit('closed');
  }
}

type BeforeRequest = (details: { url: string }, callback: (response: { cancel: boolean }) => void) => void;
type HeadersReceived = (
  details: { url: string; responseHeaders?: Record<string, string[]> },
  callback: (response: { responseHeaders?: Record<string, string[]> }) => void,
) => void;

class FakeSession {
  beforeRequest: BeforeRequest | null = null;
  headersReceived: HeadersReceived | null = null;
  permissionRequest: ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null = null;
  permissionCheck: (() => boolean) | null = null;
  readonly webRequest = {
    onBeforeRequest: (listener: BeforeRequest) => {
      this.beforeRequest = listener;
    },
    onHeadersReceived: (listener: HeadersReceived) => {
      this.headersReceived = listener;
    },
  };
  setPermissionRequestHandler(handler: FakeSession['permissionRequest']): void {
    this.permissionRequest = handler;
  }
  setPermissionCheckHandler(handler: FakeSession['permissionCheck']): void {
    this.permissionCheck = handler;
  }
}

const sessions = new Map<string, FakeSession>();
export const session = {
  fromPartition(partition: string): FakeSession {
    let found = sessions.get(partition);
    if (!found) {
      found = new FakeSession();
      sessions.set(partition, found);
    }
    return found;
  },
};

type InvokeHandler = (event: { senderFrame: { url: string } | null; sender: object }, request: unknown) => unknown;

class FakeIpcMain {
  readonly handlers = new Map<string, InvokeHandler>();
  handle(channel: string, handler: InvokeHandler): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  /** Plays ipcRenderer.invoke from a frame showing `frameUrl` (null: a frame that is gone). */
  async invokeFrom(frameUrl: string | null, channel: string, request?: unknown): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return handler({ senderFrame: frameUrl === null ? null : { url: frameUrl }, sender: {} }, request);
  }
}
export const ipcMain = new FakeIpcMain();

class FakeIpcRenderer extends EventEmitter {
  readonly invoke = vi.fn(async (_channel: string, _request?: unknown): Promise<unknown> => undefined);
  /** Plays webContents.send from the main process. */
  push(channel: string, payload: unknown): void {
    this.emit(channel, { sender: this }, payload);
  }
}
export const ipcRenderer = new FakeIpcRenderer();
export const fakeIpcRenderer = (): FakeIpcRenderer => new FakeIpcRenderer();

export const exposed = new Map<string, unknown>();
export const contextBridge = {
  exposeInMainWorld: vi.fn((key: string, api: unknown) => {
    exposed.set(key, api);
  }),
};

export class Notification extends EventEmitter {
  static supported = true;
  static shown: Notification[] = [];
  static isSupported(): boolean {
    return Notification.supported;
  }
  readonly options: { title: string; body: string; icon?: string };
  constructor(options: Notification['options']) {
    super();
    this.options = options;
  }
  show(): void {
    Notification.shown.push(this);
  }
}

export class Tray extends EventEmitter {
  static instances: Tray[] = [];
  image: unknown;
  tooltip = '';
  title = '';
  menu: { template: MenuTemplateItem[] } | null = null;
  destroyed = false;
  constructor(image: unknown) {
    super();
    this.image = image;
    Tray.instances.push(this);
  }
  setImage(image: unknown): void {
    this.image = image;
  }
  setToolTip(tooltip: string): void {
    this.tooltip = tooltip;
  }
  setTitle(title: string): void {
    this.title = title;
  }
  setContextMenu(menu: { template: MenuTemplateItem[] }): void {
    this.menu = menu;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

export interface MenuTemplateItem {
  label?: string;
  type?: string;
  enabled?: boolean;
  click?: () => void;
  submenu?: MenuTemplateItem[];
}

export const Menu = {
  buildFromTemplate: (template: MenuTemplateItem[]) => ({ template }),
};

export const nativeImage = {
  createFromPath: (file: string) => ({ file }),
};

export const powerMonitor = new EventEmitter();

export const net = {
  online: true,
  isOnline: () => net.online,
};

export const dialog = {
  /** Index of the button the person "clicks". */
  answer: 0,
  showMessageBox: vi.fn(async (..._args: unknown[]) => ({ response: dialog.answer, checkboxChecked: false })),
  /** Where the person "chooses" to save; null cancels. */
  savePath: null as string | null,
  showSaveDialog: vi.fn(async (..._args: unknown[]) => ({ canceled: dialog.savePath === null, filePath: dialog.savePath ?? '' })),
};

export const shell = {
  openExternal: vi.fn(async (_url: string) => {}),
  /** What openPath answers: '' on success, else the reason. */
  openPathAnswer: '',
  openPath: vi.fn(async (_path: string) => shell.openPathAnswer),
};

export const clipboard = {
  text: '',
  writeText: vi.fn(async (text: string) => {
    clipboard.text = text;
  }),
};

export const app = new FakeApp();

/** Back to a fresh Electron between tests. */
export function resetFakeElectron(): void {
  app.removeAllListeners();
  Object.assign(app, { isPackaged: false, singleInstance: true, appPath: process.cwd(), userData: '', quitCount: 0 });
  BrowserWindow.instances = [];
  BrowserWindow.failLoads = false;
  Tray.instances = [];
  Notification.shown = [];
  Notification.supported = true;
  sessions.clear();
  ipcMain.handlers.clear();
  ipcRenderer.removeAllListeners();
  exposed.clear();
  powerMonitor.removeAllListeners();
  net.online = true;
  dialog.answer = 0;
  dialog.savePath = null;
  shell.openPathAnswer = '';
  clipboard.text = '';
  vi.clearAllMocks();
}

export default {
  app,
  BrowserWindow,
  session,
  ipcMain,
  ipcRenderer,
  contextBridge,
  Notification,
  Tray,
  Menu,
  nativeImage,
  powerMonitor,
  net,
  dialog,
  shell,
  clipboard,
};
