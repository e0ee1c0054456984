// Where the tray app finds its own files, relative to the app root (`app.getAppPath()`: the project folder in
// development, the asar archive when packaged). The build and the builder config write to exactly these paths.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export interface AppFiles {
  rendererDir: string;
  /** The one page the window may show, and the only origin whose IPC is answered. */
  rendererUrl: string;
  preload: string;
  trayIconDir: string;
  /** Window and notification icon where the OS does not take it from the bundle (Linux). */
  appIcon: string;
}

export function appFiles(appRoot: string): AppFiles {
  const rendererDir = path.join(appRoot, 'dist', 'renderer');
  return {
    rendererDir,
    rendererUrl: pathToFileURL(path.join(rendererDir, 'index.html')).href,
    preload: path.join(appRoot, 'dist', 'electron', 'preload.cjs'),
    trayIconDir: path.join(appRoot, 'build', 'icons', 'tray'),
    appIcon: path.join(appRoot, 'build', 'icons', 'app.png'),
  };
}
