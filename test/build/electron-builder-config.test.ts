// The packaging config is checked here because electron-builder itself is not installed: what it would
// package must match what the app loads at run time.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultDataDir } from '../../daemon/paths.ts';
import { appFiles } from '../../electron/app-files.ts';
import { APP_ID, APP_NAME } from '../../electron/app-identity.ts';
import { ICON_NAMES } from '../../electron/tray-presenter.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

interface BuilderConfig {
  appId: string;
  productName: string;
  directories: { output: string; buildResources: string };
  files: string[];
  asar: boolean;
  asarUnpack: string[];
  npmRebuild: boolean;
  mac: { target: string[]; icon: string; hardenedRuntime: boolean; entitlements: string; entitlementsInherit: string; extendInfo: Record<string, unknown> };
  win: { target: string[]; icon: string };
  linux: { target: string[]; icon: string; maintainer: string };
  deb: { depends: string[] };
}

const config = JSON.parse(fs.readFileSync(path.join(ROOT, 'build', 'electron-builder.json'), 'utf8')) as BuilderConfig;
const packaged = (file: string) => {
  const relative = path.relative(ROOT, file).split(path.sep).join('/');
  const included = config.files.filter((p) => !p.startsWith('!')).some((p) => path.matchesGlob(relative, p));
  const excluded = config.files.filter((p) => p.startsWith('!')).some((p) => path.matchesGlob(relative, p.slice(1)));
  return included && !excluded;
};

describe('build/electron-builder.json', () => {
  it('uses the appId the app registers as its AppUserModelID, and the product name the data dir is named after', () => {
    expect(config.appId).toBe(APP_ID);
    expect(fs.readFileSync(path.join(ROOT, 'electron', 'main.ts'), 'utf8')).toContain('app.setAppUserModelId(APP_ID)');
    expect(config.productName).toBe(APP_NAME);
    // Electron's userData is <appData>/<productName>: the headless engine's default data dir must be the same.
    expect(path.basename(defaultDataDir({}, 'linux', '/home/jane'))).toBe(config.productName);
  });

  it('packages every file the app loads at run time', () => {
    const files = appFiles(ROOT);
    const runtime = [
      path.join(ROOT, 'package.json'),
      path.join(ROOT, 'dist', 'electron', 'main.js'),
      files.preload,
      path.join(files.rendererDir, 'index.html'),
      path.join(files.rendererDir, 'assets', 'index-0a1b2c.js'),
      files.appIcon,
      ...ICON_NAMES.flatMap((icon) => ['', 'Template'].flatMap((t) => ['', '@2x'].map((s) => path.join(files.trayIconDir, `${icon}${t}${s}.png`)))),
    ];
    expect(runtime.filter((file) => !packaged(file))).toEqual([]);
    for (const icon of [files.appIcon, path.join(files.trayIconDir, 'live.png')]) expect(fs.existsSync(icon)).toBe(true);
  });

  it('leaves sources, tests and the build scripts out of the app', () => {
    for (const file of ['electron/main.ts', 'daemon/daemon.ts', 'test/electron/main.test.ts', 'build/icons/generate.ts', 'build/electron-builder.json']) {
      expect(packaged(path.join(ROOT, file))).toBe(false);
    }
  });

  it('unpacks every native module from the asar archive, and does not rebuild them (they are N-API prebuilds)', () => {
    expect(config.asar).toBe(true);
    const natives = ['better-sqlite3', '@napi-rs'].flatMap((dir) =>
      fs.readdirSync(path.join(ROOT, 'node_modules', dir), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.node')).map((f) => `node_modules/${dir}/${f}`),
    );
    expect(natives.length).toBeGreaterThan(0);
    for (const file of natives) expect(config.asarUnpack.some((pattern) => path.matchesGlob(file, pattern))).toBe(true);
    expect(config.npmRebuild).toBe(false);
  });

  it('builds a macOS menu-bar app: dmg, LSUIElement, hardened runtime with our entitlements', () => {
    expect(config.mac.target).toContain('dmg');
    expect(config.mac.extendInfo.LSUIElement).toBe(true);
    expect(config.mac.hardenedRuntime).toBe(true);
    expect(config.mac.entitlements).toBe('build/entitlements.mac.plist');
    expect(config.mac.entitlementsInherit).toBe('build/entitlements.mac.plist');
    const plist = fs.readFileSync(path.join(ROOT, config.mac.entitlements), 'utf8');
    expect(plist).toMatch(/<key>com\.apple\.security\.cs\.allow-jit<\/key>\s*<true\/>/);
    expect(plist).not.toContain('disable-library-validation');
  });

  it('builds an NSIS installer for Windows', () => {
    expect(config.win.target).toContain('nsis');
  });

  it('builds an AppImage and a deb that depends on a Secret Service and an AppIndicator library', () => {
    expect(config.linux.target).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(config.linux.maintainer).toMatch(/<[^>]+@[^>]+>/);
    const depends = config.deb.depends;
    const secretService = depends.find((d) => d.split('|').map((s) => s.trim()).includes('gnome-keyring'));
    expect(secretService?.split('|').map((s) => s.trim())).toEqual(expect.arrayContaining(['gnome-keyring', 'kwalletmanager']));
    expect(depends.some((d) => d.split('|').map((s) => s.trim()).includes('libayatana-appindicator3-1'))).toBe(true);
    // The keychain client and desktop notifications need these at run time.
    expect(depends).toEqual(expect.arrayContaining(['libsecret-1-0', 'libnotify4']));
  });

  it('takes the app icon from a 1024 px PNG', () => {
    for (const icon of [config.mac.icon, config.win.icon, config.linux.icon]) {
      const png = fs.readFileSync(path.join(ROOT, icon));
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1024, 1024]);
    }
  });
});
