import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../daemon/store/db.ts';
import { REPEAT_WINDOW_MS, ToolSends } from '../../../daemon/store/tool-sends.ts';

let root: string;
let file: string;
let db: Database;
let now: number;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-tool-sends-'));
  file = path.join(root, 'events.db');
  db = openDatabase(file);
  now = Date.parse('2026-11-30T10:00:00Z');
});

afterEach(() => {
  db.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('ToolSends', () => {
  it("gives an identical call within the window the first call's key, and its answer once settled", () => {
    const sends = new ToolSends(db, () => now);
    expect(sends.claim('fp-1', 'key-1')).toEqual({ idempotencyKey: 'key-1', at: now, answer: null });
    now += 1_000;
    expect(sends.claim('fp-1', 'key-2')).toEqual({ idempotencyKey: 'key-1', at: now - 1_000, answer: null });
    sends.settle('fp-1', '{"status":"sent"}');
    expect(sends.claim('fp-1', 'key-3').answer).toBe('{"status":"sent"}');
    expect(sends.claim('fp-2', 'key-4')).toMatchObject({ idempotencyKey: 'key-4', answer: null });
  });

  it('forgets a call once the window has passed: the same call later is a new send with a new key', () => {
    const sends = new ToolSends(db, () => now);
    sends.claim('fp-1', 'key-1');
    sends.settle('fp-1', '{"status":"sent"}');
    now += REPEAT_WINDOW_MS + 1;
    expect(sends.claim('fp-1', 'key-2')).toEqual({ idempotencyKey: 'key-2', at: now, answer: null });
    expect(db.prepare('SELECT count(*) AS n FROM tool_sends').get()).toEqual({ n: 1 });
  });

  it('keeps the keys across a restart of the engine', () => {
    new ToolSends(db, () => now).claim('fp-1', 'key-1');
    db.close();
    db = openDatabase(file);
    expect(new ToolSends(db, () => now).claim('fp-1', 'key-2').idempotencyKey).toBe('key-1');
  });
});
