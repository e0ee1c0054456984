// `mailbridge wait` as a script runs it: a real child process against a running engine, exiting 0 with the mail
// (or just its code) when one arrives, 124 on timeout like timeout(1), and 3 when no engine runs.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailEvent } from '../../shared/event.ts';
import type { Daemon } from '../../daemon/daemon.ts';
import { startEngine } from '../../daemon/engine.ts';
import { testDaemonOptions } from '../support/daemon-options.ts';
import { waitFor } from '../support/wait-for.ts';
import { mailEvent } from './local-api/harness.ts';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/mailbridge.js');

let dir: string;
let daemon: Daemon;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-cli-wait-'));
  ({ daemon } = await startEngine(testDaemonOptions(dir)));
});

afterAll(async () => {
  await daemon?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `mailbridge wait ...`; `whileWaiting` runs once the engine holds the wait. */
async function wait(args: string[], whileWaiting: () => void = () => {}, dataDir = dir): Promise<Exit> {
  const base = daemon.hub.listenerCount;
  const child = spawn(process.execPath, [BIN, 'wait', '--data-dir', dataDir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (dataDir === dir) {
    await Promise.race([waitFor(() => daemon.hub.listenerCount > base, 10_000, 'the wait'), exited]);
    whileWaiting();
  }
  return { code: await exited, stdout, stderr };
}

function commit(from: string, subject: string, body: string): void {
  const base: MailEvent = mailEvent();
  daemon.events.commit('work', [{ ...base, message: { ...base.message!, from, subject, body_text: body } }]);
}

// Each test launches the command line, a few seconds on a loaded machine.
describe('mailbridge wait', { timeout: 60_000 }, () => {
  it('prints the first matching mail that arrives and exits 0', async () => {
    const exit = await wait(['--from', 'northwind', '--subject', 'pallets', '--timeout', '30'], () => {
      commit('dana.reyes@northwind.example', 'Lunch', 'Not this one.');
      commit('Dana Reyes <dana.reyes@northwind.example>', 'Pallets for Tuesday', 'We need 14 pallets.');
    });
    expect(exit.code, exit.stderr).toBe(0);
    expect(exit.stdout).toMatch(/^From: +Dana Reyes <dana\.reyes@northwind\.example>$/m);
    expect(exit.stdout).toMatch(/^Subject: +Pallets for Tuesday$/m);
    expect(exit.stdout).toContain('\n\nWe need 14 pallets.\n');
  });

  it('--code prints just the code', async () => {
    const exit = await wait(['--from', 'github.com', '--code'], () => {
      commit('noreply@github.com', '[GitHub] Please verify your device', 'Verification code: 482913');
    });
    expect(exit).toMatchObject({ code: 0, stdout: '482913\n' });
  });

  it('--json prints the whole answer', async () => {
    const exit = await wait(['--json', '--inbox', 'inb_a'], () => commit('a@x.example', 'JSON please', 'body'));
    expect(exit.code).toBe(0);
    expect(JSON.parse(exit.stdout)).toMatchObject({ status: 'received', mail: { subject: 'JSON please', inbox_id: 'inb_a' } });
  });

  it('exits 124 on timeout, as timeout(1) does', async () => {
    const exit = await wait(['--from', 'nobody@nowhere.example', '--timeout', '1']);
    expect(exit.code).toBe(124);
    expect(exit.stderr).toContain('no matching mail in 1 s');
  });

  it('exits 3 and says so when no engine runs', async () => {
    const empty = path.join(dir, 'no-engine-here');
    const exit = await wait(['--timeout', '1'], () => {}, empty);
    expect(exit.code).toBe(3);
    expect(exit.stderr).toContain('Mailbridge is not running');
  });
});
