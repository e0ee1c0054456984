import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import BetterSqlite3 from 'better-sqlite3';
import { CORE_SCHEMA, migrate, openDatabase, SchemaTooNewError, type Database } from '../../../daemon/store/db.ts';
import { EventStore } from '../../../daemon/store/events.ts';
import type { MailEvent } from '../../../shared/event.ts';

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

function mail(id: string, subject: string, body = ''): MailEvent {
  return {
    event: 'message.received',
    event_id: id,
    occurred_at: '2026-01-01T00:00:00Z',
    inbox_id: 'inb_1',
    message: { id: `msg_${id}`, from: 'a@example.com', to: 'b@example.com', subject, body_text: body },
  };
}

describe('a database from before indexing left the commit path', () => {
  // As version 3 left it: every event indexed by a trigger inside its commit.
  function versionThree(file: string): void {
    const old = new BetterSqlite3(file);
    old.pragma('journal_mode = WAL');
    for (const step of CORE_SCHEMA.slice(0, 3)) old.exec(step);
    old.pragma('user_version = 3');
    const insert = old.prepare(`INSERT INTO events (account, event_id, event_type, occurred_at, stored_at, subject, payload)
      VALUES ('work', ?, 'message.received', '2026-01-01T00:00:00Z', 0, ?, ?)`);
    for (const [id, subject] of [['evt_1', 'Walrus sighting'], ['evt_2', 'Narwhal report']]) {
      insert.run(id, subject, JSON.stringify(mail(id!, subject!)));
    }
    old.prepare("DELETE FROM events WHERE event_id = 'evt_1'").run();
    old.close();
  }

  it('keeps its index, drops the per-commit trigger and indexes new events in the background', () => {
    const file = path.join(dir, 'events.sqlite');
    versionThree(file);
    const db = openAt(file);
    const triggers = db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").pluck().all();
    expect(triggers).toEqual(['events_fts_delete']);
    const store = new EventStore(db);
    expect(store.searchLag()).toBe(0);
    const search = (q: string) => store.history({ limit: 10, q }).map((r) => r.event.event_id);
    expect([search('walrus'), search('narwhal')]).toEqual([[], ['evt_2']]);

    store.commit('work', [mail('evt_3', 'Beluga news')]);
    expect(store.searchLag()).toBe(1);
    expect(store.indexPending(10)).toBe(1);
    expect(search('beluga')).toEqual(['evt_3']);
    store.applyRetention({ maxAgeMs: null, maxEvents: 0, now: 0, protectAfterSeq: 3 });
    expect(db.prepare('SELECT count(*) FROM events_fts').pluck().get()).toBe(0);
  });
});

describe('a database from before three indexes left the commit', () => {
  it('drops them, keeps an index for the rarer event types only, and keeps every event', () => {
    const file = path.join(dir, 'events.sqlite');
    const old = new BetterSqlite3(file);
    old.pragma('journal_mode = WAL');
    for (const step of CORE_SCHEMA.slice(0, 4)) old.exec(step);
    old.pragma('user_version = 4');
    const insert = old.prepare(`INSERT INTO events (account, event_id, event_type, occurred_at, stored_at, payload)
      VALUES ('work', ?, ?, '2026-01-01T00:00:00Z', 0, ?)`);
    insert.run('evt_1', 'message.received', JSON.stringify(mail('evt_1', 'One')));
    insert.run('evt_2', 'message.bounced', JSON.stringify({ ...mail('evt_2', 'Two'), event: 'message.bounced' }));
    old.close();

    const db = openAt(file);
    const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' AND sql IS NOT NULL ORDER BY name").pluck().all();
    expect(indexes).toEqual(['events_account', 'events_inbox', 'events_message_key', 'events_type_rare']);
    const store = new EventStore(db);
    expect(store.after(0, 10).map((e) => e.event_id)).toEqual(['evt_1', 'evt_2']);
    expect(store.after(0, 10, { eventType: 'message.bounced' }).map((e) => e.event_id)).toEqual(['evt_2']);
    expect(store.seqOf('evt_2')).toBe(2);
  });
});

describe('WAL checkpoints', () => {
  const walBytes = (file: string) => fs.statSync(`${file}-wal`).size;

  it('leave the commits alone: many small commits never copy the WAL back into the database file', () => {
    const file = path.join(dir, 'events.sqlite');
    const store = new EventStore(openAt(file));
    const size = fs.statSync(file).size;
    // Far past SQLite's default threshold of 1,000 WAL pages, which checkpointed inside whichever commit crossed it.
    for (let i = 0; i < 600; i++) store.commit('work', [mail(`evt_${i}`, 'small')]);
    expect(walBytes(file)).toBeGreaterThan(1_000 * 4096);
    expect(fs.statSync(file).size).toBe(size);
  });

  it('keep the WAL bounded under writes that never pause', () => {
    const file = path.join(dir, 'events.sqlite');
    const store = new EventStore(openAt(file));
    const body = 'x'.repeat(256 * 1024);
    // About 90 MiB written: without the 64 MiB cap, all of it would still be in the WAL.
    for (let i = 0; i < 360; i++) {
      store.commit('work', [mail(`evt_${i}`, 'large', body)]);
    }
    expect(walBytes(file)).toBeLessThan(70 * 1024 * 1024);
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

describe('a database from before message keys', () => {
  it('keeps its events, and adds the key column and its index', () => {
    const file = path.join(dir, 'events.sqlite');
    const old = new BetterSqlite3(file);
    for (const step of CORE_SCHEMA.slice(0, 4)) old.exec(step);
    old.pragma('user_version = 4');
    old.prepare(`INSERT INTO events (account, event_id, event_type, occurred_at, stored_at, payload)
      VALUES ('work', 'evt_1', 'message.received', '2026-01-01T00:00:00Z', 0, ?)`).run(JSON.stringify(mail('evt_1', 'Old', '')));
    old.close();
    const db = openAt(file);
    expect(db.prepare('SELECT event_id, message_key FROM events').all()).toEqual([{ event_id: 'evt_1', message_key: null }]);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'events_message_key'").pluck().get()).toBe('events_message_key');
  });
});
