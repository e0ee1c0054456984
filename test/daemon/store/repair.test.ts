// A damaged event store: the message at start, `repairStore` and `mailbridge repair`, all on real files and, for the
// command line, real processes.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DamagedDatabaseError, openDatabase } from '../../../daemon/store/db.ts';
import { EventStore } from '../../../daemon/store/events.ts';
import { acquireInstanceLock, InstanceLockedError } from '../../../daemon/store/instance-lock.ts';
import { repairStore } from '../../../daemon/store/repair.ts';
import { waitFor } from '../../support/wait-for.ts';

const BIN = fileURLToPath(new URL('../../../bin/mailbridge.js', import.meta.url));
const NOW = new Date('2026-11-23T10:15:30.123Z');
const GARBAGE = 'this was never a database\n'.repeat(200);

let dir: string;
let file: string;
const children: ChildProcess[] = [];

function run(args: string[]): ChildProcess & { output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, ...args, '--data-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return Object.assign(child, { output: () => output, exited });
}

function damagedStore(): void {
  fs.writeFileSync(file, GARBAGE);
  fs.writeFileSync(`${file}-wal`, 'wal bytes');
  fs.writeFileSync(`${file}-shm`, 'shm bytes');
}

function healthyStore(events = 1): void {
  const db = openDatabase(file);
  new EventStore(db).commit(
    'work',
    Array.from({ length: events }, (_, i) => ({ event: 'message.received', event_id: `evt_${i}`, occurred_at: '2026-01-01T00:00:00Z', inbox_id: 'inb_1', payload: 'x'.repeat(2_000) })),
  );
  db.close();
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-repair-'));
  file = path.join(dir, 'events.db');
});

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('opening a damaged store', () => {
  it('names the file, says what happened and what to do, and leaves the file as it was', () => {
    damagedStore();
    let error: unknown;
    try {
      openDatabase(file);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DamagedDatabaseError);
    const message = (error as Error).message;
    expect(message).toContain(file);
    expect(message).toContain('file is not a database');
    expect(message).toMatch(/mailbridge repair/);
    expect(message).toMatch(/fresh store/);
    expect(fs.readFileSync(file, 'utf8')).toBe(GARBAGE);
    expect(fs.readFileSync(`${file}-wal`, 'utf8')).toBe('wal bytes');
  });
});

describe('repairStore', () => {
  it('moves a damaged store aside with its -wal and -shm, deletes nothing, and leaves room for a fresh one', () => {
    damagedStore();
    const result = repairStore(dir, file, NOW);
    const movedTo = path.join(dir, 'events.damaged-2026-11-23T10-15-30Z.db');
    expect(result).toEqual({
      outcome: 'moved',
      file,
      problem: 'file is not a database',
      movedTo,
      companions: [`${movedTo}-wal`, `${movedTo}-shm`],
    });
    expect(fs.readFileSync(movedTo, 'utf8')).toBe(GARBAGE);
    expect(fs.readFileSync(`${movedTo}-wal`, 'utf8')).toBe('wal bytes');
    // The -shm holds no data, only an index SQLite rebuilds from the WAL whenever it opens the file.
    expect(fs.existsSync(`${movedTo}-shm`)).toBe(true);
    expect(['events.db', 'events.db-wal', 'events.db-shm'].filter((name) => fs.existsSync(path.join(dir, name)))).toEqual([]);
    const fresh = openDatabase(file);
    expect(new EventStore(fresh).count()).toBe(0);
    fresh.close();
  });

  it('finds damage inside a store whose header is intact', () => {
    healthyStore(200);
    // Overwrite pages in the middle of the file: the header and schema still read, the tables do not.
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(4096 * 20, 0x5a), 0, 4096 * 20, 4096 * 10);
    fs.closeSync(fd);
    const result = repairStore(dir, file, NOW);
    expect(result.outcome).toBe('moved');
    expect(fs.existsSync(file)).toBe(false);
  });

  it('leaves a healthy store where it is', () => {
    healthyStore();
    expect(repairStore(dir, file, NOW)).toEqual({ outcome: 'healthy', file });
    const db = openDatabase(file);
    expect(new EventStore(db).count()).toBe(1);
    db.close();
  });

  it('says so when there is no store', () => {
    expect(repairStore(dir, file, NOW)).toEqual({ outcome: 'missing', file });
  });

  it('never overwrites an earlier copy moved aside', () => {
    damagedStore();
    repairStore(dir, file, NOW);
    damagedStore();
    const second = repairStore(dir, file, NOW);
    expect(second).toMatchObject({ outcome: 'moved', movedTo: path.join(dir, 'events.damaged-2026-11-23T10-15-30Z-2.db') });
    expect(fs.readdirSync(dir).filter((name) => name.includes('damaged')).sort()).toHaveLength(6);
  });

  it('refuses while an engine holds the data dir, and touches nothing', () => {
    damagedStore();
    const engine = acquireInstanceLock(dir);
    try {
      expect(() => repairStore(dir, file, NOW)).toThrow(InstanceLockedError);
    } finally {
      engine.release();
    }
    expect(fs.readFileSync(file, 'utf8')).toBe(GARBAGE);
  });
});

describe('mailbridge run and repair on a damaged store', () => {
  it('run refuses in one line that names the file and the way out; repair moves it aside and says where', async () => {
    damagedStore();
    const start = run(['run', '--demo', '--port', '0', '--no-socket']);
    expect(await start.exited).toBe(1);
    const lines = start.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^mailbridge: The event store .* cannot be read \(file is not a database\)/);
    expect(lines[0]).toContain(file);
    expect(lines[0]).toContain('`mailbridge repair`');
    expect(fs.readFileSync(file, 'utf8')).toBe(GARBAGE);

    const repair = run(['repair']);
    expect(await repair.exited).toBe(0);
    const movedTo = /Moved it to (\S+)/.exec(repair.output())?.[1];
    expect(movedTo).toMatch(/events\.damaged-.*\.db$/);
    expect(fs.readFileSync(movedTo!, 'utf8')).toBe(GARBAGE);
    expect(repair.output()).toContain('nothing was deleted');
  });

  it('repair refuses while an engine runs', async () => {
    const engine = run(['run', '--demo', '--port', '0', '--no-socket']);
    await waitFor(() => engine.output().includes('Waiting for mail'), 15_000, `the engine: ${engine.output()}`);
    const repair = run(['repair']);
    expect(await repair.exited).toBe(1);
    expect(repair.output()).toMatch(/^mailbridge: Another Mailbridge \(pid \d+\) is already running/);
    expect(fs.existsSync(file)).toBe(true);
  });
});
