import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireInstanceLock, InstanceLockedError, type InstanceLock } from '../../../daemon/store/instance-lock.ts';
import { waitFor } from '../../support/wait-for.ts';

const HOLDER = fileURLToPath(new URL('./lock-holder.ts', import.meta.url));
const BIN = fileURLToPath(new URL('../../../bin/mailbridge.js', import.meta.url));

let dir: string;
let lockFile: string;
let pidFile: string;
const held: InstanceLock[] = [];
const children: ChildProcess[] = [];

function acquire(): InstanceLock {
  const lock = acquireInstanceLock(dir);
  held.push(lock);
  return lock;
}

function lockedError(): InstanceLockedError {
  try {
    acquire();
  } catch (error) {
    if (error instanceof InstanceLockedError) return error;
    throw error;
  }
  throw new Error('the lock was acquired');
}

function child(command: string, args: string[]): ChildProcess & { output: () => string } {
  const proc = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(proc);
  let output = '';
  proc.stdout!.on('data', (chunk) => (output += chunk));
  proc.stderr!.on('data', (chunk) => (output += chunk));
  return Object.assign(proc, { output: () => output });
}

/** Starts lock-holder.ts through `launch` and returns the holder's own pid once it holds the lock. */
async function startHolder(launch: ChildProcess & { output: () => string }): Promise<number> {
  const line = await waitFor(() => /locked (\d+)/.exec(launch.output()), 10_000, `the lock holder: ${launch.output()}`);
  return Number(line[1]);
}

function exited(proc: ChildProcess): Promise<number | null> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve(proc.exitCode);
  return new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
}

beforeEach(() => {
  dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-lock-')), 'data');
  lockFile = path.join(dir, 'engine.lock');
  pidFile = path.join(dir, 'mailbridge.lock');
});

afterEach(async () => {
  for (const lock of held.splice(0)) lock.release();
  for (const proc of children.splice(0)) {
    proc.kill('SIGKILL');
    await exited(proc);
  }
  fs.rmSync(path.dirname(dir), { recursive: true, force: true });
});

describe('acquireInstanceLock', () => {
  it('holds an owner-only lock, names this process beside it, and frees it on release', () => {
    const lock = acquire();
    expect(fs.readFileSync(pidFile, 'utf8').trim()).toBe(String(process.pid));
    expect(fs.statSync(lockFile).mode & 0o777).toBe(0o600);
    expect(fs.statSync(pidFile).mode & 0o777).toBe(0o600);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    lock.release();
    lock.release();
    expect(fs.existsSync(pidFile)).toBe(false);
    acquire();
  });

  it('refuses a second holder in the same process, naming its pid', () => {
    acquire();
    expect(lockedError().pid).toBe(process.pid);
    // Refusing did not loosen the first hold.
    expect(lockedError().pid).toBe(process.pid);
  });

  it('refuses while another process holds the lock, and is free the moment that process is SIGKILLed', async () => {
    const holder = child(process.execPath, ['--expose-gc', HOLDER, dir]);
    await startHolder(holder);
    const error = lockedError();
    expect(error.pid).toBe(holder.pid);
    expect(error.message).toContain(`pid ${holder.pid}`);

    holder.kill('SIGKILL');
    await exited(holder);
    acquire();
    expect(fs.readFileSync(pidFile, 'utf8').trim()).toBe(String(process.pid));
  });

  it('is not blocked by a lock file that names a live, unrelated process', () => {
    const unrelated = child('sleep', ['30']);
    fs.mkdirSync(dir, { recursive: true });
    // As a crash (or a version that trusted this file as the lock) left it, with the pid since reused.
    fs.writeFileSync(pidFile, `${unrelated.pid}\n`);
    acquire();
    expect(fs.readFileSync(pidFile, 'utf8').trim()).toBe(String(process.pid));
  });

  it.skipIf(process.platform !== 'linux')('is not blocked by a holder that died and was never reaped (a zombie)', async () => {
    // The holder's parent becomes `sleep`, which never reaps a child: once killed, the holder stays a zombie.
    const parent = child('sh', ['-c', `"${process.execPath}" --expose-gc "${HOLDER}" "${dir}" & exec sleep 60`]);
    const holderPid = await startHolder(parent);
    expect(lockedError().pid).toBe(holderPid);
    process.kill(holderPid, 'SIGKILL');
    // A zombie once all its threads are gone: until then the leader shows Z while the others still exit.
    const status = () => fs.readFileSync(`/proc/${holderPid}/status`, 'utf8');
    await waitFor(() => /^State:\s+Z/m.test(status()) && /^Threads:\s+1$/m.test(status()), 5_000, 'the holder to become a zombie');
    // Its pid still answers kill(pid, 0), which is what fooled a pid-file lock.
    expect(() => process.kill(holderPid, 0)).not.toThrow();
    acquire();
  });

  it('takes a lock file whose content is damaged', () => {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(lockFile, 'not a database, whatever it is '.repeat(10));
    acquire();
    expect(lockedError().pid).toBe(process.pid);
  });

  it('on release leaves alone a pid file that names another holder', () => {
    const lock = acquire();
    fs.writeFileSync(pidFile, '999999\n');
    lock.release();
    expect(fs.readFileSync(pidFile, 'utf8')).toBe('999999\n');
  });
});

describe('engines started at once', () => {
  it('run exactly one; the others refuse in one line', async () => {
    const engines = Array.from({ length: 3 }, () => child(process.execPath, [BIN, 'run', '--demo', '--port', '0', '--no-socket', '--data-dir', dir]));
    const outcome = (engine: (typeof engines)[number]) => (engine.output().includes('Waiting for mail') ? 'running' : engine.exitCode);
    const codes = await Promise.all(engines.map((engine) => waitFor(() => outcome(engine) ?? false, 15_000, `an outcome: ${engine.output()}`)));
    expect(codes.filter((code) => code === 'running')).toHaveLength(1);
    for (const [i, engine] of engines.entries()) {
      if (codes[i] === 'running') continue;
      expect(codes[i]).toBe(1);
      expect(engine.output()).toMatch(/^mailbridge: Another Mailbridge \(pid \d+\) is already running/);
      expect(engine.output().trim().split('\n')).toHaveLength(1);
    }
    const winner = engines[codes.indexOf('running')]!;
    winner.kill('SIGTERM');
    expect(await exited(winner)).toBe(0);
  });
});
