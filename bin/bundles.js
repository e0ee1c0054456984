// Builds the window (and, for the tray app, the Electron bundles) from a source checkout when the output is
// missing or older than its sources, so `npm start` and `npx mailbridge run` work right after `npm ci`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const vite = path.join(root, 'node_modules', 'vite', 'bin', 'vite.js');

/**
 * Rebuilds one bundle when any of its sources is newer than its output. Without Vite (an install without dev
 * dependencies) it leaves things as they are and says false; the endpoint then serves a "not built" page.
 */
export function ensureBuilt(output, sources, configArgs = []) {
  const built = fs.existsSync(output) ? fs.statSync(output).mtimeMs : 0;
  if (built > 0 && !sources.some((dir) => newerThan(path.join(root, dir), built))) return true;
  if (!fs.existsSync(vite)) return built > 0;
  const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'error', ...configArgs], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) {
    process.stderr.write(`mailbridge: building ${path.relative(root, output)} failed (exit ${result.status ?? result.signal})\n`);
    return false;
  }
  return true;
}

export function ensureWindowBuilt() {
  return ensureBuilt(path.join(root, 'dist', 'renderer', 'index.html'), ['renderer', 'shared']);
}

function newerThan(target, time) {
  const stat = fs.statSync(target, { throwIfNoEntry: false });
  if (!stat) return false;
  if (!stat.isDirectory()) return stat.mtimeMs > time;
  return fs.readdirSync(target).some((name) => newerThan(path.join(target, name), time));
}
