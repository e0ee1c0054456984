// `mailbridge repair`: a damaged event store is moved aside, never deleted, so the next start begins with a fresh
// one while the old file stays there for whoever wants to rescue it. Runs only while no engine does: it holds the
// instance lock throughout, so none can start in the middle of it either.
import fs from 'node:fs';
import path from 'node:path';
import { damageOf } from './db.ts';
import { acquireInstanceLock } from './instance-lock.ts';

// SQLite's companions of a database file, moved with it so the copy stays whole. They go first: a WAL left behind
// without its database would be replayed into the fresh one.
const COMPANIONS = ['-wal', '-shm'] as const;

export type RepairResult =
  | { outcome: 'missing'; file: string }
  | { outcome: 'healthy'; file: string }
  | { outcome: 'moved'; file: string; problem: string; movedTo: string; companions: string[] };

/** Checks the store at `file` (in `dataDir`) and moves it aside if SQLite finds it damaged. */
export function repairStore(dataDir: string, file: string, now: Date = new Date()): RepairResult {
  const lock = acquireInstanceLock(dataDir);
  try {
    if (!fs.existsSync(file)) return { outcome: 'missing', file };
    const problem = damageOf(file, { thorough: true });
    if (problem === null) return { outcome: 'healthy', file };
    const movedTo = freeName(file, now);
    const companions: string[] = [];
    for (const suffix of COMPANIONS) {
      if (!fs.existsSync(`${file}${suffix}`)) continue;
      fs.renameSync(`${file}${suffix}`, `${movedTo}${suffix}`);
      companions.push(`${movedTo}${suffix}`);
    }
    fs.renameSync(file, movedTo);
    return { outcome: 'moved', file, problem, movedTo, companions };
  } finally {
    lock.release();
  }
}

/** `events.db` → `events.damaged-2026-11-23T10-15-30Z.db`, numbered should that name be taken. */
function freeName(file: string, now: Date): string {
  const { dir, name, ext } = path.parse(file);
  const stamp = now.toISOString().replace(/\.\d+Z$/, 'Z').replaceAll(':', '-');
  for (let n = 1; ; n++) {
    const candidate = path.join(dir, `${name}.damaged-${stamp}${n === 1 ? '' : `-${n}`}${ext}`);
    if (!COMPANIONS.some((suffix) => fs.existsSync(`${candidate}${suffix}`)) && !fs.existsSync(candidate)) return candidate;
  }
}
