// One running engine per data dir: two would hold two upstream connections and fight over the same store.
import fs from 'node:fs';
import path from 'node:path';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from './private-files.ts';

const LOCK_FILE = 'mailbridge.lock';
// A lock file without a pid is one being written right now, unless it has been like that for this long.
const EMPTY_LOCK_GRACE_MS = 5000;
const MAX_ATTEMPTS = 20;
const TAKEOVER_WAIT_MS = 10;

export class InstanceLockedError extends Error {
  /** The holder's pid; null when it is still writing its lock file. */
  readonly pid: number | null;
  readonly lockFile: string;
  constructor(pid: number | null, lockFile: string) {
    super(
      `Another Mailbridge${pid === null ? '' : ` (pid ${pid})`} is already running with this data directory. ` +
        `Stop it first; if no Mailbridge is running, delete ${lockFile}.`,
    );
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
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (tryCreate(lockFile, process.pid)) return heldLock(lockFile);
    const holder = readHolder(lockFile);
    if (holder === 'gone') continue;
    if (holder === 'starting') throw new InstanceLockedError(null, lockFile);
    if (isAlive(holder)) throw new InstanceLockedError(holder, lockFile);
    takeOverStale(lockFile, holder);
  }
  throw new Error(`Could not take the instance lock ${lockFile}: it kept changing hands.`);
}

function heldLock(lockFile: string): InstanceLock {
  let held = true;
  return {
    release() {
      if (!held) return;
      held = false;
      // Only remove the file while it is still ours; a takeover after a hang may have replaced it.
      if (readHolder(lockFile) === process.pid) fs.rmSync(lockFile, { force: true });
    },
  };
}

function tryCreate(file: string, pid: number): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx', PRIVATE_FILE_MODE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    fs.writeFileSync(fd, `${pid}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

/** The pid in the lock file, 'gone' when there is no file, 'starting' while a fresh one has no pid yet. */
function readHolder(file: string): number | 'gone' | 'starting' {
  let text: string;
  let modified: number;
  try {
    text = fs.readFileSync(file, 'utf8');
    modified = fs.statSync(file).mtimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
  const pid = Number(text.trim());
  if (Number.isSafeInteger(pid) && pid > 0) return pid;
  // Garbage that has sat there past the grace period belongs to nobody: pid 0 is never alive.
  return Date.now() - modified < EMPTY_LOCK_GRACE_MS ? 'starting' : 0;
}

function isAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes a lock whose holder is dead. A guard file serialises takeovers, so two starting engines cannot both
 * delete the stale lock and then each other's fresh one.
 */
function takeOverStale(lockFile: string, stalePid: number): void {
  const guard = `${lockFile}.takeover`;
  if (!tryCreate(guard, process.pid)) {
    const guardHolder = readHolder(guard);
    // A guard left by a process that died mid-takeover is cleared; a live one is given a moment to finish.
    if (typeof guardHolder === 'number' && !isAlive(guardHolder)) fs.rmSync(guard, { force: true });
    else pause(TAKEOVER_WAIT_MS);
    return;
  }
  try {
    if (readHolder(lockFile) === stalePid) fs.rmSync(lockFile, { force: true });
  } finally {
    fs.rmSync(guard, { force: true });
  }
}

function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
