// electron-builder against the real build, with a stub Electron distribution in place of the runtime that cannot
// be downloaded here: proves the packaged app holds main, preload and window, and unpacks the native modules.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { listPackage } from '@electron/asar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let work: string;
let unpacked: string;

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', timeout: 180_000 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
}

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-package-'));
  const stub = path.join(work, 'electron-dist');
  fs.mkdirSync(path.join(stub, 'resources'), { recursive: true });
  // Stands in for the Electron binary, which this machine cannot download.
  fs.writeFileSync(path.join(stub, 'electron'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  const npx = path.join(ROOT, 'node_modules', '.bin');
  // `npm test` builds once before any test runs (other tests serve the same files); a lone run builds what is missing.
  if (!fs.existsSync(path.join(ROOT, 'dist', 'renderer', 'index.html'))) run(path.join(npx, 'vite'), ['build', '--logLevel', 'error']);
  for (const [output, config] of [['main.js', 'build/vite.electron-main.config.ts'], ['preload.cjs', 'build/vite.electron-preload.config.ts']] as const) {
    if (!fs.existsSync(path.join(ROOT, 'dist', 'electron', output))) run(path.join(npx, 'vite'), ['build', '--logLevel', 'error', '-c', config]);
  }
  run(path.join(npx, 'electron-builder'), [
    '--dir',
    '--linux',
    '--config',
    'build/electron-builder.json',
    `--config.electronDist=${stub}`,
    `--config.directories.output=${path.join(work, 'out')}`,
  ]);
  unpacked = path.join(work, 'out', 'linux-unpacked');
}, 240_000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('electron-builder --dir', () => {
  it('packs main, preload and the window into app.asar', () => {
    const files = listPackage(path.join(unpacked, 'resources', 'app.asar'), { isPack: false }).map((f) => f.replaceAll('\\', '/'));
    for (const file of ['/package.json', '/dist/electron/main.js', '/dist/electron/preload.cjs', '/dist/renderer/index.html']) {
      expect(files).toContain(file);
    }
    expect(files.some((f) => f.startsWith('/dist/renderer/assets/') && f.endsWith('.js'))).toBe(true);
    expect(files.some((f) => f.startsWith('/node_modules/ws/'))).toBe(true);
  });

  it('unpacks the native modules so they can be loaded from disk', () => {
    const natives: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.name.endsWith('.node')) natives.push(path.relative(unpacked, full));
      }
    };
    walk(path.join(unpacked, 'resources', 'app.asar.unpacked'));
    expect(natives.some((f) => f.includes('better-sqlite3'))).toBe(true);
    expect(natives.some((f) => f.includes('keyring'))).toBe(true);
  });

  it('leaves build-time packages out of the app', () => {
    const files = listPackage(path.join(unpacked, 'resources', 'app.asar'), { isPack: false });
    expect(files.some((f) => f.includes('/node_modules/react-dom/'))).toBe(false);
    expect(files.some((f) => f.includes('/node_modules/vite/'))).toBe(false);
  });
});
