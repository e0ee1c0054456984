// One running engine per data dir: two would hold two upstream connections and fight over the same store.
// The lock is a write lock on a small SQLite file, held for the life of the process. The kernel drops it when
// the process ends however it ends (crash, SIGKILL, power cut), so a stale lock never blocks a start, and no pid
// is ever trusted to say who holds it: pids are reused, and a zombie's pid looks alive. The holder's pid sits in
// mailbridge.lock (the pid file older versions trusted as the lock) only to name the running engine in a refusal.
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { ensurePrivateDir, PRIVATE_FILE_MODE, readTextIfExists, writePrivateFile } from './private-files.ts';

const LOCK_FILE = 'engine.lock';
const PID_FILE = 'mailbridge.lock';
// A holder writes its pid right after taking the lock; an engine refused in that instant waits this long to name it.
const HOLDER_PID_WAIT_MS = 1_000;
const HOLDER_PID_POLL_MS = 20;
// better-sqlite3 closes a connection that is garbage-collected, which would end the lock while the caller still
// counts on it: held connections stay referenced here until released.
const held = new Set<BetterSqlite3.Database>();

export class InstanceLockedError extends Error {
  /** The holder's pid; null when it could not be told (it has only just started). */
  readonly pid: number | null;
  readonly lockFile: string;
  constructor(pid: number | null, lockFile: string) {
    super(`Another Mailbridge${pid === null ? '' : ` (pid ${pid})`} is already running with this data directory. Stop it first.`);
    this.name = 'InstanceLockedError';
    this.pid = pid;
    this.lockFile = lockFile;
  }
}

export interface InstanceLock {
  release(): void;
}

export function acquireInstanceLock(dataDir: string): InstanceLock {
  ensurePrivateDir(dataDir);
  const lockFile = path.join(dataDir, LOCK_FILE);
  const pidFile = path.join(dataDir, PID_FILE);
  const lock = openLock(lockFile);
  try {
    // A transaction that is never committed holds SQLite's RESERVED lock (fcntl on Unix, LockFileEx on Windows),
    // which another connection, in this process or any other, cannot take: it gets SQLITE_BUSY at once.
    lock.exec('BEGIN IMMEDIATE');
  } catch (error) {
    lock.close();
    if (sqliteCode(error) === 'SQLITE_BUSY') throw new InstanceLockedError(holderPid(pidFile), lockFile);
    throw error;
  }
  held.add(lock);
  writePrivateFile(pidFile, `${process.pid}\n`);
  return {
    release() {
      if (!held.delete(lock)) return;
      if (readPid(pidFile) === process.pid) fs.rmSync(pidFile, { force: true });
      // Closing the connection ends the transaction and with it the lock.
      lock.close();
    },
  };
}

function openLock(lockFile: string): BetterSqlite3.Database {
  createPrivateFile(lockFile);
  // No busy wait: a held lock is an answer, not something to wait out.
  const lock = new BetterSqlite3(lockFile, { timeout: 0 });
  try {
    // The file holds no data; an empty one is a valid database. Anything else in it (damage, or a file put
    // there by hand) is cleared in place, never replaced: a new file would be a second lock.
    lock.pragma('schema_version');
  } catch (error) {
    lock.close();
    if (sqliteCode(error) !== 'SQLITE_NOTADB') throw error;
    fs.truncateSync(lockFile, 0);
    return new BetterSqlite3(lockFile, { timeout: 0 });
  }
  return lock;
}

// Only ever opened here when it does not exist yet: POSIX drops every fcntl lock a process holds on a file when
// the process closes any descriptor of that file, so opening and closing it beside a held lock would free it.
function createPrivateFile(file: string): void {
  try {
    fs.closeSync(fs.openSync(file, 'wx', PRIVATE_FILE_MODE));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  fs.chmodSync(file, PRIVATE_FILE_MODE);
}

/** The pid the holder wrote, if that process is still there; null if a fresh holder does not write it in time. */
function holderPid(pidFile: string): number | null {
  const deadline = Date.now() + HOLDER_PID_WAIT_MS;
  for (;;) {
    const pid = readPid(pidFile);
    if (pid !== null && isAlive(pid)) return pid;
    if (Date.now() >= deadline) return null;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, HOLDER_PID_POLL_MS);
  }
}

function readPid(pidFile: string): number | null {
  const pid = Number(readTextIfExists(pidFile)?.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sqliteCode(error: unknown): string | undefined {
  return (error as { code?: string } | null)?.code;
}
