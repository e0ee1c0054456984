#!/usr/bin/env node
// `npm start`: the tray app where an Electron runtime can be had; otherwise one line saying why, then the same
// engine headless with the window served as a local web page.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ensureBuilt, ensureWindowBuilt, root } from './bundles.js';

/** A bundle the app cannot run without: a failed build stops here. */
function build(output, sources, configArgs) {
  if (!ensureBuilt(output, sources, configArgs)) process.exit(1);
}

/** The Electron binary, fetched on first use as the electron package does; or why there is none. */
function electronRuntime() {
  if (process.env.MAILBRIDGE_HEADLESS) return { reason: 'MAILBRIDGE_HEADLESS is set' };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return { reason: 'there is no display' };
  const dir = path.join(root, 'node_modules', 'electron');
  const located = () => {
    const pathFile = path.join(dir, 'path.txt');
    if (!fs.existsSync(pathFile)) return null;
    const binary = path.join(dir, 'dist', fs.readFileSync(pathFile, 'utf8').trim());
    return fs.existsSync(binary) ? binary : null;
  };
  let binary = located();
  if (!binary && fs.existsSync(path.join(dir, 'install.js'))) {
    process.stdout.write('Fetching the Electron runtime (first run only)…\n');
    spawnSync(process.execPath, [path.join(dir, 'install.js')], { cwd: dir, stdio: 'ignore', timeout: 300_000 });
    binary = located();
  }
  return binary ? { binary } : { reason: 'the Electron runtime could not be downloaded' };
}

if (!ensureWindowBuilt()) process.exit(1);
const runtime = electronRuntime();
if (runtime.binary) {
  build(path.join(root, 'dist', 'electron', 'main.js'), ['electron', 'daemon', 'shared'], ['-c', 'build/vite.electron-main.config.ts']);
  build(path.join(root, 'dist', 'electron', 'preload.cjs'), ['electron', 'shared'], ['-c', 'build/vite.electron-preload.config.ts']);
  const app = spawn(runtime.binary, [root, ...process.argv.slice(2)], { stdio: 'inherit' });
  app.on('exit', (code) => process.exit(code ?? 0));
} else {
  process.stdout.write(`No Electron runtime here (${runtime.reason}): running Mailbridge headless; open the dashboard link below.\n`);
  const { main } = await import('../daemon/cli.ts');
  process.exitCode = await main(['run', ...process.argv.slice(2)]);
}
