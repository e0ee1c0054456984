import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ForwardQueue } from '../../../daemon/forward/forward-queue.ts';
import { openDatabase, type Database } from '../../../daemon/store/db.ts';
import { LogCursors } from '../../../daemon/store/log-cursors.ts';

let dir: string;
let file: string;
const open: Database[] = [];

function reopen(): Database {
  const db = openDatabase(file);
  open.push(db);
  return db;
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-log-cursors-'));
  file = path.join(dir, 'events.sqlite');
});

afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('LogCursors', () => {
  it('opens a cursor where it is told the first time, and where it was left every time after', () => {
    const cursors = new LogCursors(reopen(), 'sink');
    expect(cursors.position('nats:A')).toBeNull();
    expect(cursors.open('nats:A', 40)).toBe(40);
    cursors.advance('nats:A', 45, 5);
    expect(cursors.open('nats:A', 99)).toBe(45);
  });

  it('only ever moves forward, whatever order the advances come in', () => {
    const cursors = new LogCursors(reopen(), 'sink');
    cursors.open('x', 0);
    cursors.advance('x', 10, 10);
    cursors.advance('x', 7, 0);
    expect(cursors.position('x')).toBe(10);
    expect(cursors.counted('x')).toBe(10);
  });

  it('counts a hand-on outside the order without moving the position', () => {
    const cursors = new LogCursors(reopen(), 'forward');
    cursors.open('t', 3);
    cursors.count('t');
    expect(cursors.position('t')).toBe(3);
    expect(cursors.counted('t')).toBe(1);
  });

  it('keeps each owner apart: the same id under two owners is two cursors', () => {
    const db = reopen();
    const forward = new LogCursors(db, 'forward');
    const sink = new LogCursors(db, 'sink');
    forward.open('same', 1);
    sink.open('same', 9);
    forward.advance('same', 5, 1);
    expect(sink.position('same')).toBe(9);
    expect(forward.position('same')).toBe(5);
  });

  it('survives a restart: the position is in the file', () => {
    const first = reopen();
    new LogCursors(first, 'sink').open('nats:A', 0);
    new LogCursors(first, 'sink').advance('nats:A', 12, 12);
    first.close();
    const cursors = new LogCursors(reopen(), 'sink');
    expect(cursors.position('nats:A')).toBe(12);
    expect(cursors.counted('nats:A')).toBe(12);
  });

  it('refuses an owner name that is not a plain lower-case word', () => {
    expect(() => new LogCursors(reopen(), 'Bad Owner')).toThrow(TypeError);
  });
});

describe('forward cursors kept by an earlier version', () => {
  it('move into the log cursors with their positions and counts, and forwarding reads them from there', () => {
    const db = reopen();
    // The forward module's first step exactly as it shipped, and its version, as an earlier Mailbridge left them.
    db.exec(`
      CREATE TABLE forward_cursors (
        target_id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL,
        delivered INTEGER NOT NULL DEFAULT 0,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE forward_dead_letters (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        target_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        event_id TEXT NOT NULL,
        body TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        last_error TEXT,
        at INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('dead', 'retrying'))
      );
      CREATE INDEX forward_dead_letters_target ON forward_dead_letters (target_id, status, id);
      INSERT INTO migrations (name, version) VALUES ('forward', 1);
      INSERT INTO forward_cursors (target_id, seq, delivered, updated_at) VALUES ('fwd_a', 17, 15, 1), ('fwd_b', 3, 0, 1);
    `);

    const queue = new ForwardQueue(db);
    expect(queue.cursor('fwd_a')).toBe(17);
    expect(queue.delivered('fwd_a')).toBe(15);
    expect(queue.openCursor('fwd_b', 50)).toBe(3);
    expect(new LogCursors(db, 'forward').position('fwd_a')).toBe(17);
    const left = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'forward_cursors'").get() as { n: number };
    expect(left.n).toBe(0);
  });
});
