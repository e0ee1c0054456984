// A fresh checkout after `npm ci` alone has no built window: `mailbridge run` builds it before it prints the
// dashboard link, so the first link a new user opens shows the dashboard, not a "not built" page. Runs against a
// copy of the sources in a temp dir, so the shared dist/ other tests use is left alone.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { EndpointFile } from '../../shared/local-api.ts';
import { waitFor } from '../support/wait-for.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const checkout = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-checkout-'));
const cleanups: (() => void)[] = [() => fs.rmSync(checkout, { recursive: true, force: true })];
afterAll(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

describe('the first run of a fresh checkout', () => {
  it('serves the built dashboard at the link `mailbridge run` prints', async () => {
    // Every tracked file, as a clone has them: no dist/, and node_modules as `npm ci` would leave it.
    const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
    for (const file of tracked) {
      if (!fs.existsSync(path.join(ROOT, file))) continue;
      fs.mkdirSync(path.dirname(path.join(checkout, file)), { recursive: true });
      fs.copyFileSync(path.join(ROOT, file), path.join(checkout, file));
    }
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(checkout, 'node_modules'));
    const dataDir = path.join(checkout, 'data');
    const child = spawn(process.execPath, [path.join(checkout, 'bin', 'mailbridge.js'), 'run', '--demo', '--port', '0', '--no-socket', '--data-dir', dataDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    cleanups.push(() => child.kill('SIGKILL'));

    const link = await waitFor(() => /dashboard: (http:\/\/\S+)\/#token=/.exec(output)?.[1] ?? (child.exitCode !== null && 'exited'), 90_000, 'the dashboard link');
    expect(link, output).not.toBe('exited');
    const endpoint = JSON.parse(fs.readFileSync(path.join(dataDir, 'endpoint.json'), 'utf8')) as EndpointFile;
    expect(link).toBe(endpoint.url);
    const page = await (await fetch(`${link}/`)).text();
    expect(page).not.toContain('not built');
    expect(page).toMatch(/<script type="module"[^>]* src="\.\/assets\/[^"]+\.js"/);
    expect(fs.existsSync(path.join(checkout, 'dist', 'renderer', 'index.html'))).toBe(true);
    child.kill('SIGTERM');
    await exited;
  }, 120_000);
});
