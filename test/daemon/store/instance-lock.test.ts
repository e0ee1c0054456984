import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireInstanceLock, InstanceLockedError, type InstanceLock } from '../../../daemon/store/instance-lock.ts';

let dir: string;
let lockFile: string;
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

// A pid that certainly belonged to a process that has exited.
function deadPid(): number {
  const { pid } = spawnSync(process.execPath, ['-e', '']);
  return pid!;
}

beforeEach(() => {
  dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-lock-')), 'data');
  lockFile = path.join(dir, 'mailbridge.lock');
});

afterEach(() => {
  for (const lock of held.splice(0)) lock.release();
  for (const child of children.splice(0)) child.kill('SIGKILL');
  fs.rmSync(path.dirname(dir), { recursive: true, force: true });
});

describe('acquireInstanceLock', () => {
  it('holds an owner-only lock file with this pid until released', () => {
    const lock = acquire();
    expect(fs.readFileSync(lockFile, 'utf8').trim()).toBe(String(process.pid));
    expect(fs.statSync(lockFile).mode & 0o777).toBe(0o600);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    lock.release();
    expect(fs.existsSync(lockFile)).toBe(false);
    acquire();
    expect(fs.existsSync(lockFile)).toBe(true);
  });

  it('refuses a second holder while the first is alive, naming its pid', () => {
    acquire();
    expect(lockedError().pid).toBe(process.pid);
  });

  it('refuses while another live process holds the lock, and takes it over once that process is killed', async () => {
    const script = fileURLToPath(new URL('./lock-holder.ts', import.meta.url));
    const child = spawn(process.execPath, [script, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('locked') && resolve());
      child.on('exit', (code) => reject(new Error(`lock holder exited early (${code})`)));
    });
    const error = lockedError();
    expect(error.pid).toBe(child.pid);
    expect(error.message).toContain(`pid ${child.pid}`);

    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    acquire();
    expect(fs.readFileSync(lockFile, 'utf8').trim()).toBe(String(process.pid));
  });

  it('takes over a lock left by a process that no longer exists', () => {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(lockFile, `${deadPid()}\n`);
    acquire();
    expect(fs.readFileSync(lockFile, 'utf8').trim()).toBe(String(process.pid));
  });

  it('treats a lock file without a pid as being written now, and as stale once it is old', () => {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(lockFile, '');
    expect(lockedError().pid).toBeNull();
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(lockFile, old, old);
    acquire();
    expect(fs.readFileSync(lockFile, 'utf8').trim()).toBe(String(process.pid));
  });

  it('on release leaves alone a lock file that another process has taken over', () => {
    const lock = acquire();
    fs.writeFileSync(lockFile, '999999\n');
    lock.release();
    lock.release();
    expect(fs.readFileSync(lockFile, 'utf8')).toBe('999999\n');
  });
});
