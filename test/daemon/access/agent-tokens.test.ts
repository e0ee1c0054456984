// Agent tokens against a real SQLite file: made once, kept only as a hash, resolved to their principal, revoked
// at once with their consumers.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentTokens, tokenHash } from '../../../daemon/access/agent-tokens.ts';
import { consumerKey } from '../../../daemon/access/consumer-names.ts';
import { AgentTokenStore } from '../../../daemon/store/agent-tokens.ts';
import { ConsumerStore } from '../../../daemon/store/consumers.ts';
import { openDatabase, type Database } from '../../../daemon/store/db.ts';
import { EventStore } from '../../../daemon/store/events.ts';
import { mailEvents } from '../local-api/harness.ts';

let root: string;
let file: string;
let db: Database;
let now: number;
let consumers: ConsumerStore;
let tokens: AgentTokens;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-tokens-'));
  file = path.join(root, 'events.db');
  db = openDatabase(file);
  now = Date.parse('2026-11-30T10:00:00Z');
  consumers = new ConsumerStore(db);
  tokens = new AgentTokens(new AgentTokenStore(db), consumers, () => now);
});

afterEach(() => {
  db.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('AgentTokens', () => {
  it('makes a 256-bit token, shows it once and keeps only its hash', () => {
    const created = tokens.create({ name: 'mailer', scope: 'send', inboxIds: ['inb_a', 'inb_a'], allowSenders: ['*@GitHub.com'] });
    expect(created).toEqual({
      name: 'mailer',
      token: expect.stringMatching(/^mbt_[A-Za-z0-9_-]{43}$/),
      scopes: ['read', 'send'],
      inboxIds: ['inb_a'],
      allowSenders: ['*@github.com'],
      createdAt: '2026-11-30T10:00:00.000Z',
      lastUsedAt: null,
    });
    const { token: _token, ...info } = created;
    expect(tokens.list()).toEqual([info]);
    db.pragma('wal_checkpoint(TRUNCATE)');
    const bytes = fs.readFileSync(file);
    expect(bytes.includes(created.token)).toBe(false);
    expect(bytes.includes(tokenHash(created.token))).toBe(true);
    expect(tokens.create({ name: 'other', scope: 'read', inboxIds: [], allowSenders: [] }).token).not.toBe(created.token);
  });

  it('resolves a token to its principal and nothing else to anything', () => {
    const { token } = tokens.create({ name: 'reader', scope: 'read', inboxIds: ['inb_a'], allowSenders: [] });
    expect(tokens.resolve(token)).toEqual({ name: 'reader', owner: false, scopes: ['read'], inboxIds: ['inb_a'], allowSenders: [] });
    for (const other of ['', 'a'.repeat(64), `${token}x`, token.slice(0, -1), token.replace('mbt_', 'mbx_')]) expect(tokens.resolve(other), other).toBeNull();
  });

  it('notes when a token was last used, at most once a minute', () => {
    const { token } = tokens.create({ name: 'reader', scope: 'read', inboxIds: [], allowSenders: [] });
    tokens.resolve(token);
    now += 30_000;
    tokens.resolve(token);
    expect(tokens.list()[0]?.lastUsedAt).toBe('2026-11-30T10:00:00.000Z');
    now += 31_000;
    tokens.resolve(token);
    expect(tokens.list()[0]?.lastUsedAt).toBe('2026-11-30T10:01:01.000Z');
  });

  it('refuses a taken name, the owner name and malformed requests, by name', () => {
    tokens.create({ name: 'mailer', scope: 'read', inboxIds: [], allowSenders: [] });
    expect(() => tokens.create({ name: 'mailer', scope: 'send', inboxIds: [], allowSenders: [] })).toThrow(/exists already/);
    expect(() => tokens.create({ name: 'owner', scope: 'read', inboxIds: [], allowSenders: [] })).toThrow(/owner's own name/);
    expect(() => tokens.create({ name: 'has space', scope: 'read', inboxIds: [], allowSenders: [] })).toThrow(/token name/);
    expect(() => tokens.create({ name: 'x', scope: 'admin' as 'read', inboxIds: [], allowSenders: [] })).toThrow(/scope must be one of read, send/);
    expect(() => tokens.create({ name: 'x', scope: 'read', inboxIds: [], allowSenders: ['Name <a@b.example>'] })).toThrow(/allowSenders/);
  });

  it('revokes at once: the token resolves no more, its consumers go, and listeners hear of it', () => {
    new EventStore(db).commit('work', mailEvents(3));
    const reader = tokens.create({ name: 'reader', scope: 'read', inboxIds: [], allowSenders: [] });
    const reader2 = tokens.create({ name: 'reader2', scope: 'read', inboxIds: [], allowSenders: [] });
    const readerPrincipal = tokens.resolve(reader.token)!;
    consumers.ack(consumerKey(readerPrincipal, 'inbox-bot'), 2);
    consumers.ack(consumerKey(tokens.resolve(reader2.token)!, 'inbox-bot'), 1);
    consumers.ack('inbox-bot', 3);
    const heard: string[] = [];
    tokens.onRevoked((name) => heard.push(name));

    expect(tokens.revoke('reader')).toBe(true);
    expect(tokens.revoke('reader')).toBe(false);
    expect(tokens.resolve(reader.token)).toBeNull();
    expect(heard).toEqual(['reader']);
    expect(consumers.list(3).map((consumer) => consumer.name)).toEqual(['inbox-bot', 'reader2:inbox-bot']);
    expect(tokens.list().map((token) => token.name)).toEqual(['reader2']);
  });
});
