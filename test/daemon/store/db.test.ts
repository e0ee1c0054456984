import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, openDatabase, SchemaTooNewError, type Database } from '../../../daemon/store/db.ts';

let dir: string;
const open: Database[] = [];
const mode = (file: string) => fs.statSync(file).mode & 0o777;

function openAt(file: string): Database {
  const db = openDatabase(file);
  open.push(db);
  return db;
}

function tables(db: Database): string[] {
  return db
    .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .all()
    .map((row) => row.name);
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-db-'));
});

afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('openDatabase', () => {
  it('creates an owner-only directory and owner-only database, WAL and shared-memory files', () => {
    const file = path.join(dir, 'data', 'events.sqlite');
    const db = openAt(file);
    db.prepare('INSERT INTO consumers (name, acked_seq, updated_at) VALUES (?, 0, 0)').run('agent');
    expect(mode(path.dirname(file))).toBe(0o700);
    expect(mode(file)).toBe(0o600);
    expect(mode(`${file}-wal`)).toBe(0o600);
    expect(mode(`${file}-shm`)).toBe(0o600);
  });

  it('tightens the mode of an existing database file', () => {
    const file = path.join(dir, 'events.sqlite');
    fs.writeFileSync(file, '', { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    openAt(file);
    expect(mode(file)).toBe(0o600);
  });

  it('runs in WAL mode with NORMAL sync, a busy timeout and foreign keys on', () => {
    const db = openAt(path.join(dir, 'events.sqlite'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it('creates the core tables once and keeps data across reopening', () => {
    const file = path.join(dir, 'events.sqlite');
    const first = openAt(file);
    expect(tables(first)).toEqual(expect.arrayContaining(['events', 'events_fts', 'cursors', 'consumers', 'migrations']));
    const version = first.pragma('user_version', { simple: true });
    expect(version).toBeGreaterThan(0);
    first.prepare('INSERT INTO cursors (account, last_event_id, updated_at) VALUES (?, ?, 0)').run('work', 'evt_1');
    first.close();

    const second = openAt(file);
    expect(second.pragma('user_version', { simple: true })).toBe(version);
    expect(second.prepare('SELECT last_event_id FROM cursors').pluck().get()).toBe('evt_1');
  });

  it('refuses a database written by a newer Mailbridge instead of guessing at its schema', () => {
    const file = path.join(dir, 'events.sqlite');
    const db = openAt(file);
    db.pragma('user_version = 999');
    db.close();
    expect(() => openDatabase(file)).toThrow(SchemaTooNewError);
  });
});

describe('migrate', () => {
  it('applies each step once, in order, and only the new steps on a later run', () => {
    const file = path.join(dir, 'events.sqlite');
    const db = openAt(file);
    const steps = ['CREATE TABLE forward_queue (seq INTEGER PRIMARY KEY)', 'ALTER TABLE forward_queue ADD COLUMN tries INTEGER NOT NULL DEFAULT 0'];
    migrate(db, 'forward', steps.slice(0, 1));
    db.prepare('INSERT INTO forward_queue (seq) VALUES (1)').run();
    db.close();

    const reopened = openAt(file);
    migrate(reopened, 'forward', steps);
    migrate(reopened, 'forward', steps);
    expect(reopened.prepare('SELECT seq, tries FROM forward_queue').all()).toEqual([{ seq: 1, tries: 0 }]);
    expect(reopened.prepare("SELECT version FROM migrations WHERE name = 'forward'").pluck().get()).toBe(2);
  });

  it('keeps a separate version per module so modules do not collide', () => {
    const db = openAt(path.join(dir, 'events.sqlite'));
    migrate(db, 'forward', ['CREATE TABLE forward_a (x)', 'CREATE TABLE forward_b (x)']);
    migrate(db, 'notify', ['CREATE TABLE notify_a (x)']);
    expect(tables(db)).toEqual(expect.arrayContaining(['forward_a', 'forward_b', 'notify_a']));
    expect(db.prepare('SELECT name, version FROM migrations ORDER BY name').all()).toEqual([
      { name: 'forward', version: 2 },
      { name: 'notify', version: 1 },
    ]);
  });

  it('rolls a failing step back entirely and leaves the version where it was', () => {
    const db = openAt(path.join(dir, 'events.sqlite'));
    migrate(db, 'forward', ['CREATE TABLE forward_a (x)']);
    expect(() => migrate(db, 'forward', ['CREATE TABLE forward_a (x)', 'CREATE TABLE forward_b (x); INSERT INTO nowhere VALUES (1)'])).toThrow(
      /no such table/,
    );
    expect(tables(db)).not.toContain('forward_b');
    expect(db.prepare("SELECT version FROM migrations WHERE name = 'forward'").pluck().get()).toBe(1);
  });

  it('refuses module names that could collide with the core schema or are not identifiers', () => {
    const db = openAt(path.join(dir, 'events.sqlite'));
    for (const name of ['core', '', 'Forward', 'a b', '../x']) {
      expect(() => migrate(db, name, ['CREATE TABLE t (x)'])).toThrow(TypeError);
    }
  });

  it('refuses to run when the module was migrated further by a newer Mailbridge', () => {
    const db = openAt(path.join(dir, 'events.sqlite'));
    migrate(db, 'forward', ['CREATE TABLE forward_a (x)', 'CREATE TABLE forward_b (x)']);
    expect(() => migrate(db, 'forward', ['CREATE TABLE forward_a (x)'])).toThrow(SchemaTooNewError);
  });
});
