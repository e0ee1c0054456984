// The upstream connection against the demo provider: real WebSockets on 127.0.0.1, a real SQLite store,
// faults injected on the provider side.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DemoProvider, type DemoProviderOptions } from '../../../daemon/demo/server.ts';
import { createLogger } from '../../../daemon/log.ts';
import { getAdapter } from '../../../daemon/providers/index.ts';
import { openDatabase, type Database } from '../../../daemon/store/db.ts';
import { EventStore } from '../../../daemon/store/events.ts';
import { UpstreamConnection } from '../../../daemon/upstream/connection.ts';
import { sleep, waitFor } from '../../support/wait-for.ts';

const ACCOUNT = 'acct';
const KEY = 'om_test_key_0123456789';
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(providerOptions: DemoProviderOptions = {}, key: string | null = KEY, heartbeat = { quietMs: 150, timeoutMs: 150 }) {
  const provider = await DemoProvider.start({ apiKey: KEY, pingIntervalMs: 60_000, ...providerOptions });
  cleanups.push(() => provider.stop());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-upstream-'));
  const db: Database = openDatabase(path.join(dir, 'events.db'));
  cleanups.push(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const store = new EventStore(db);
  const logs: string[] = [];
  const connection = new UpstreamConnection({
    account: ACCOUNT,
    adapter: getAdapter('openmail'),
    url: provider.url,
    apiKey: key,
    inboxIds: [],
    eventTypes: [],
    cursor: store.cursor(ACCOUNT),
    commit: (events, cursor) => store.commit(ACCOUNT, events, cursor),
    clearCursor: () => store.setCursor(ACCOUNT, null),
    log: createLogger('debug', (line) => logs.push(line)),
    heartbeat,
    backoff: { baseMs: 50, capMs: 200, stableMs: 300 },
    replaySettleMs: 200,
  });
  cleanups.push(() => connection.stop());
  return { provider, store, connection, logs };
}

const storedIds = (store: EventStore) => store.after(0, 100_000).map((e) => e.event_id);
const live = (connection: UpstreamConnection) => waitFor(() => connection.status().state === 'live', 5_000, 'live');

describe('UpstreamConnection', () => {
  it('subscribes, goes live and commits each event with its cursor', async () => {
    const { provider, store, connection } = await setup();
    connection.start();
    await live(connection);
    const sent = provider.emitMany(3);
    await waitFor(() => store.count() === 3, 5_000, 'three events');
    expect(storedIds(store)).toEqual(sent.map((e) => e.event_id));
    expect(store.cursor(ACCOUNT)).toBe(sent[2]!.event_id);
    expect(connection.status()).toMatchObject({ state: 'live', cursor: sent[2]!.event_id, attempt: 1, lastError: null });
  });

  it('replays what it missed during a drop and sends the cursor on every resubscribe', async () => {
    const { provider, store, connection } = await setup();
    connection.start();
    await live(connection);
    provider.emitMany(2);
    await waitFor(() => store.count() === 2);
    for (let round = 0; round < 3; round++) {
      const cursor = store.cursor(ACCOUNT);
      provider.drop();
      provider.emitMany(2);
      await waitFor(() => store.count() === 4 + round * 2, 5_000, `round ${round}`);
      expect(provider.subscribes.at(-1)!.lastEventId).toBe(cursor);
    }
    expect(storedIds(store)).toEqual(provider.emitted.map((e) => e.event_id));
  });

  it('detects a half-open socket by heartbeat and reconnects without losing events', async () => {
    const { provider, store, connection } = await setup();
    connection.start();
    await live(connection);
    // Replay needs a cursor: the provider only resends what follows an event we already have.
    provider.emit();
    await waitFor(() => store.count() === 1);
    provider.halfOpen();
    provider.emitMany(3);
    await waitFor(() => store.count() === 4, 5_000, 'replay after half-open');
    expect(connection.status().counters.connects).toBe(2);
    expect(connection.status().lastError).toBe(null);
  });

  it('reconnects after a 1001 close and after a provider restart, storing every event once', async () => {
    const { provider, store, connection } = await setup();
    connection.start();
    await live(connection);
    provider.emit();
    provider.close(1001, 'going away');
    provider.emit();
    await waitFor(() => store.count() === 2);
    await provider.restart(200);
    provider.emit();
    await waitFor(() => store.count() === 3, 5_000, 'event after restart');
    await live(connection);
    provider.emit();
    await waitFor(() => store.count() === 4);
    expect(storedIds(store)).toEqual(provider.emitted.map((e) => e.event_id));
  });

  it('waits out a 4029 rate-limit close instead of reconnecting at once', async () => {
    const { provider, connection } = await setup();
    connection.start();
    await live(connection);
    const before = Date.now();
    provider.close(4029, 'rate limited');
    await waitFor(() => connection.status().state === 'backoff');
    const retryAt = Date.parse(connection.status().nextRetryAt!);
    expect(retryAt - before).toBeGreaterThanOrEqual(10_000);
    expect(connection.status().lastError).toContain('4029');
  });

  it('stops and reports needs_key when the key is revoked, with no retry storm', async () => {
    const { provider, connection } = await setup();
    connection.start();
    await live(connection);
    provider.revokeKey();
    await waitFor(() => connection.status().state === 'needs_key', 5_000, 'needs_key');
    const subscribes = provider.subscribes.length;
    await sleep(800);
    expect(connection.status().state).toBe('needs_key');
    expect(provider.subscribes.length).toBe(subscribes);
    expect(provider.connectionCount()).toBe(0);
  });

  it('reports needs_key at once when the handshake is refused with 401', async () => {
    const { provider, connection } = await setup({}, 'om_wrong_key_987654321');
    connection.start();
    await waitFor(() => connection.status().state === 'needs_key');
    expect(connection.status().lastError).toContain('401');
    expect(provider.subscribes).toHaveLength(0);
    provider.setApiKey('om_wrong_key_987654321');
    connection.setApiKey('om_wrong_key_987654321');
    await live(connection);
  });

  it('stores duplicated and reordered deliveries exactly once', async () => {
    const { provider, store, connection } = await setup();
    connection.start();
    await live(connection);
    provider.setDuplicates(true);
    provider.setOutOfOrder(true);
    const sent = provider.emitMany(10);
    provider.setOutOfOrder(false);
    await waitFor(() => store.count() === 10, 5_000, 'ten events');
    await sleep(200);
    expect(store.count()).toBe(10);
    expect(new Set(storedIds(store))).toEqual(new Set(sent.map((e) => e.event_id)));
    expect(connection.status().counters.duplicates).toBeGreaterThanOrEqual(10);
  });

  it("pages past the provider's 100-event replay cap and clears the gap when caught up", async () => {
    const { provider, store, connection } = await setup();
    connection.start();
    await live(connection);
    provider.emit();
    await waitFor(() => store.count() === 1);
    connection.stop();
    provider.emitMany(250);
    connection.start();
    await waitFor(() => store.count() === 251, 10_000, 'all 251 events');
    expect(storedIds(store)).toEqual(provider.emitted.map((e) => e.event_id));
    await waitFor(() => connection.status().possibleGap === null, 5_000, 'gap cleared');
  });

  it('drops a dead-looking socket and is live again at once on wake', async () => {
    // A heartbeat far too slow to help: only wake() can bring this connection back in time.
    const { provider, store, connection } = await setup({}, KEY, { quietMs: 60_000, timeoutMs: 60_000 });
    connection.start();
    await live(connection);
    provider.emit();
    await waitFor(() => store.count() === 1);
    provider.halfOpen();
    provider.emit();
    const woke = Date.now();
    connection.wake('test resume');
    await waitFor(() => store.count() === 2, 5_000, 'event after wake');
    expect(Date.now() - woke).toBeLessThan(1_000);
    expect(connection.status().state).toBe('live');
  });

  it('forgets an unknown cursor, records a possible gap and resubscribes from now', async () => {
    const { provider, store } = await setup();
    store.commit(ACCOUNT, [{ ...provider.emit(), event_id: 'evt_not_known' }], 'evt_not_known');
    const fresh = new UpstreamConnection({
      account: ACCOUNT,
      adapter: getAdapter('openmail'),
      url: provider.url,
      apiKey: KEY,
      inboxIds: [],
      eventTypes: [],
      cursor: store.cursor(ACCOUNT),
      commit: (events, cursor) => store.commit(ACCOUNT, events, cursor),
      clearCursor: () => store.setCursor(ACCOUNT, null),
      log: createLogger('error', () => {}),
    });
    cleanups.push(() => fresh.stop());
    fresh.start();
    await waitFor(() => fresh.status().possibleGap !== null);
    await live(fresh);
    expect(store.cursor(ACCOUNT)).toBe(null);
    expect(provider.subscribes.map((s) => s.lastEventId)).toEqual(['evt_not_known', null]);
    const next = provider.emit();
    await waitFor(() => store.cursor(ACCOUNT) === next.event_id);
  });

  it('never logs the API key', async () => {
    const { provider, connection, logs } = await setup({}, 'om_wrong_key_987654321');
    connection.start();
    await waitFor(() => connection.status().state === 'needs_key');
    provider.emit();
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.join('\n')).not.toContain('om_wrong_key_987654321');
    expect(JSON.stringify(connection.status())).not.toContain('om_wrong_key_987654321');
  });
});

describe('UpstreamConnection: when replay cannot cover a gap', () => {
  async function watched(flavour: 'openmail' | 'agentmail' | 'myagentmail', cursor: string | null = null) {
    const provider = await DemoProvider.start({ apiKey: KEY, pingIntervalMs: 60_000, flavour });
    cleanups.push(() => provider.stop());
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-upstream-'));
    const db = openDatabase(path.join(dir, 'events.db'));
    cleanups.push(() => {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const store = new EventStore(db);
    if (cursor !== null) store.commit(ACCOUNT, [{ ...provider.emit(), event_id: cursor }], cursor);
    const connection = new UpstreamConnection({
      account: ACCOUNT,
      adapter: getAdapter(flavour),
      url: provider.url,
      apiKey: KEY,
      inboxIds: [],
      eventTypes: [],
      cursor: store.cursor(ACCOUNT),
      commit: (events, next) => store.commit(ACCOUNT, events, next),
      clearCursor: () => store.setCursor(ACCOUNT, null),
      log: createLogger('error', () => {}),
      backoff: { baseMs: 50, capMs: 200, stableMs: 300 },
      replaySettleMs: 200,
    });
    const reasons: string[] = [];
    connection.onCatchUp((reason) => reasons.push(reason));
    cleanups.push(() => connection.stop());
    return { provider, store, connection, reasons };
  }

  it.each(['agentmail', 'myagentmail'] as const)('asks for a catch-up on every connect to %s, which cannot replay', async (flavour) => {
    const { provider, connection, reasons } = await watched(flavour);
    connection.start();
    await waitFor(() => reasons.length === 1, 5_000, 'the first catch-up request');
    provider.drop();
    await waitFor(() => reasons.length === 2, 5_000, 'a catch-up request after the reconnect');
    expect(reasons).toEqual(['no_replay', 'no_replay']);
    expect(connection.status().possibleGap).toBeNull();
  });

  it('asks on OpenMail only while it has no cursor: replay covers a reconnect with one', async () => {
    const { provider, store, connection, reasons } = await watched('openmail');
    connection.start();
    await live(connection);
    expect(reasons).toEqual(['no_cursor']);
    provider.emit();
    await waitFor(() => store.cursor(ACCOUNT) !== null);
    provider.drop();
    await waitFor(() => provider.subscribes.length === 2 && connection.status().state === 'live', 5_000, 'live again');
    await sleep(300);
    expect(reasons).toEqual(['no_cursor']);
  });

  it('asks after a wake on OpenMail once the replay of what the sleep missed is stored (two pages of it)', async () => {
    const { provider, store, connection, reasons } = await watched('openmail');
    connection.start();
    await live(connection);
    provider.emit();
    await waitFor(() => store.cursor(ACCOUNT) !== null);
    let storedWhenAsked: number | null = null;
    connection.onCatchUp((reason) => {
      if (reason === 'wake') storedWhenAsked = store.count();
    });
    provider.halfOpen();
    provider.emitMany(150);
    connection.wake('test resume');
    expect(reasons).toEqual(['no_cursor']);
    await waitFor(() => storedWhenAsked !== null, 10_000, 'a catch-up request after the replay');
    expect(storedWhenAsked).toBe(151);
    expect(reasons).toEqual(['no_cursor', 'wake']);
  });

  it('asks at once after a wake where the provider cannot replay', async () => {
    const { connection, reasons } = await watched('agentmail');
    connection.start();
    await waitFor(() => reasons.length === 1, 5_000, 'the first catch-up request');
    connection.wake('test resume');
    expect(reasons).toEqual(['no_replay', 'wake']);
  });

  it('asks when the provider no longer knows the cursor, and a catch-up started after the gap closes it', async () => {
    const { provider, connection, reasons } = await watched('openmail', 'evt_forgotten');
    provider.forgetReplayLog();
    connection.start();
    await waitFor(() => reasons.includes('cursor_unknown'), 5_000, 'a catch-up request');
    await live(connection);
    const gap = connection.status().possibleGap!;
    expect(gap.reason).toMatch(/did not recognise the replay cursor/);
    connection.caughtUp(Date.parse(gap.at) - 1);
    expect(connection.status().possibleGap).toEqual(gap);
    connection.caughtUp(Date.parse(gap.at));
    expect(connection.status().possibleGap).toBeNull();
  });

  it("leaves a replay's own paging gap to the replay", async () => {
    const { provider, store, connection } = await watched('openmail');
    connection.start();
    await live(connection);
    provider.emit();
    await waitFor(() => store.cursor(ACCOUNT) !== null);
    connection.stop();
    provider.emitMany(150);
    connection.start();
    await waitFor(() => connection.status().possibleGap !== null, 5_000, 'the paging gap');
    connection.caughtUp(Date.now());
    expect(connection.status().possibleGap).not.toBeNull();
    await waitFor(() => store.count() === 151 && connection.status().possibleGap === null, 5_000, 'the replay to page through');
  });
});
