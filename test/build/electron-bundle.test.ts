// Builds the main process and the preload with the real configs and checks what a packaged app depends on,
// then starts the built main.js with the fake 'electron' module (the runtime cannot be had on this machine).
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { build, type UserConfig } from 'vite';
import mainConfig from '../../build/vite.electron-main.config.ts';
import preloadConfig from '../../build/vite.electron-preload.config.ts';
import { IPC_CHANNELS, type IpcReply } from '../../shared/ipc.ts';
import type { DaemonStatus } from '../../shared/status.ts';
import { openSettings } from '../../daemon/store/settings.ts';
import { appFiles } from '../../electron/app-files.ts';
import { app, ipcMain, resetFakeElectron } from '../electron/fake-electron.ts';

vi.mock('electron', () => import('../electron/fake-electron.ts'));

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> };
let scratch: string;
let outDir: string;
let main: string;
let preload: string;

function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

describe('the Electron bundles', () => {
  beforeAll(async () => {
    // Inside the project (in the ignored .tmp/), so the bundle finds node_modules as the packaged app does.
    fs.mkdirSync(path.join(ROOT, '.tmp'), { recursive: true });
    scratch = fs.mkdtempSync(path.join(ROOT, '.tmp', 'bundle-'));
    outDir = path.join(scratch, 'dist', 'electron');
    for (const config of [mainConfig, preloadConfig] as UserConfig[]) {
      await build({ ...config, configFile: false, logLevel: 'silent', build: { ...config.build, outDir, emptyOutDir: false } });
    }
    main = fs.readFileSync(path.join(outDir, 'main.js'), 'utf8');
    preload = fs.readFileSync(path.join(outDir, 'preload.cjs'), 'utf8');
  }, 60_000);

  afterAll(() => {
    vi.unstubAllEnvs();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('make the main process one ESM file importing only builtins, electron and runtime dependencies', () => {
    expect(fs.readdirSync(outDir).filter((f) => f.endsWith('.js') || f.endsWith('.cjs')).sort()).toEqual(['main.js', 'preload.cjs']);
    const specifiers = [...main.matchAll(/^import\s+(?:[^'"]*?\s+from\s+)?["']([^"']+)["']/gm)].map((m) => m[1]!);
    expect(specifiers).toContain('electron');
    expect(specifiers).toEqual(expect.arrayContaining(['better-sqlite3', '@napi-rs/keyring', 'ws', 'conf']));
    const allowed = new Set(['electron', ...Object.keys(pkg.dependencies), ...builtinModules]);
    expect(specifiers.filter((s) => !s.startsWith('node:') && !allowed.has(packageOf(s)))).toEqual([]);
    expect(main).not.toMatch(/\brequire\(/);
  });

  it('carry the engine version instead of reading a package.json that is not beside the bundle', () => {
    expect(main).not.toMatch(/createRequire\(import\.meta\.url\)\(["'][^"']*package\.json["']\)/);
    expect(main).toMatch(new RegExp(`"version":\\s*"${pkg.version.replaceAll('.', '\\.')}"`));
  });

  it('make the preload one CommonJS file that requires nothing but electron (a sandboxed preload can load no other file)', () => {
    expect([...preload.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1])).toEqual(['electron']);
    expect(preload).not.toMatch(/^\s*(import|export)\s/m);
    expect(preload).toContain('exposeInMainWorld("mailbridge"');
    expect(preload).toContain('"control:status"');
  });

  it('start the engine from the built main.js and stop it on quit', async () => {
    resetFakeElectron();
    const dataDir = path.join(scratch, 'user-data');
    openSettings(dataDir).set('port', 0);
    vi.stubEnv('MAILBRIDGE_DATA_DIR', dataDir);
    app.appPath = scratch;
    await import(pathToFileURL(path.join(outDir, 'main.js')).href);
    await vi.waitFor(() => expect(ipcMain.handlers.size).toBe(IPC_CHANNELS.length), { timeout: 10_000 });
    // Main answers every call with an IpcReply: the result, or a coded error.
    const reply = (await ipcMain.invokeFrom(appFiles(scratch).rendererUrl, 'control:status')) as IpcReply<DaemonStatus>;
    const status = 'result' in reply ? reply.result : reply.error;
    expect(status).toMatchObject({ version: pkg.version, dataDir });
    app.quit();
    await vi.waitFor(() => expect(app.quitCount).toBe(1), { timeout: 10_000 });
    expect(fs.existsSync(path.join(dataDir, 'mailbridge.lock'))).toBe(false);
  });
});
