// The JetStream sink against Debian's nats-server: a real broker on 127.0.0.1, killed and restarted for real,
// with real users and permissions. Each event must land once, with its subject, payload and Nats-Msg-Id.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';
import type { MailEvent } from '../../../shared/event.ts';
import type { SinkStatus } from '../../../shared/status.ts';
import type { Daemon } from '../../../daemon/daemon.ts';
import { DemoProvider } from '../../../daemon/demo/server.ts';
import { startEngine, type EngineOptions } from '../../../daemon/engine.ts';
import type { NatsSinkConfig } from '../../../daemon/nats/nats-sink.ts';
import { testDaemonOptions } from '../../support/daemon-options.ts';
import { readStream, streamCount } from '../../support/jetstream-reader.ts';
import { NatsServer } from '../../support/nats-server.ts';
import { waitFor } from '../../support/wait-for.ts';
import { mailEvent, mailEvents } from '../local-api/harness.ts';

const FAST_BACKOFF = { baseMs: 50, capMs: 400, stableMs: 1_000 };
const USERS = `
authorization {
  users = [
    { user: publisher, password: right-password }
    { user: narrow, password: narrow-password, permissions: { publish: { allow: ["mailbridge.>", "_INBOX.>"] }, subscribe: { allow: ["_INBOX.>"] } } }
  ]
}`;

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function broker(config?: string): Promise<NatsServer> {
  const server = await NatsServer.start(config === undefined ? {} : { config });
  cleanups.push(() => server.stop());
  return server;
}

async function engine(sink: Partial<NatsSinkConfig> & Pick<NatsSinkConfig, 'url'>, more: Partial<EngineOptions> = {}): Promise<Daemon> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-nats-sink-'));
  const natsSink: NatsSinkConfig = { user: null, credentials: null, stream: 'MAILBRIDGE', subjectPrefix: 'mailbridge', maxAgeDays: 30, maxBytes: null, ...sink };
  const { daemon } = await startEngine(testDaemonOptions(dir, { natsSink, engineName: 'engine-a', backoff: FAST_BACKOFF, ...more }));
  cleanups.push(async () => {
    await daemon.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return daemon;
}

const sink = (daemon: Daemon): SinkStatus => daemon.status().sinks[0]!;
const caughtUp = (daemon: Daemon): boolean => sink(daemon).lag === 0 && sink(daemon).state === 'live';

describe('the JetStream sink', () => {
  it('publishes each committed event once, to its subject, with the event JSON and the Nats-Msg-Id, into a stream it creates', async () => {
    const nats = await broker();
    const daemon = await engine({ url: nats.url });
    const events: MailEvent[] = [
      mailEvent({ inbox_id: 'inb_a' }),
      mailEvent({ inbox_id: 'team.sales inbox' }),
      mailEvent({ inbox_id: null, event: 'message.bounced' }),
      mailEvent({ inbox_id: 'wild*card>' }),
    ];
    daemon.events.commit('work', events);
    daemon.events.commit('home.eu', [mailEvent({ inbox_id: '' })]);
    await waitFor(() => caughtUp(daemon) && sink(daemon).position === 5, 10_000, 'the sink to publish five events');

    const stored = await readStream(nats.url, 'MAILBRIDGE');
    expect(stored.map((m) => m.subject)).toEqual([
      'mailbridge.work.inb_a.message_received',
      'mailbridge.work.team_sales_inbox.message_received',
      'mailbridge.work._.message_bounced',
      'mailbridge.work.wild_card_.message_received',
      'mailbridge.home_eu._.message_received',
    ]);
    expect(stored.map((m) => m.msgId)).toEqual([...events.map((e) => `work:${e.event_id}`), expect.stringMatching(/^home\.eu:evt_/)]);
    expect(stored.map((m) => JSON.parse(m.data))).toEqual([...events, expect.objectContaining({ inbox_id: '' })]);
    expect(stored.every((m) => m.engine === 'engine-a')).toBe(true);

    const nc = await connect({ servers: nats.url });
    const { config } = await (await jetstreamManager(nc)).streams.info('MAILBRIDGE');
    await nc.close();
    expect(config).toMatchObject({ subjects: ['mailbridge.>'], storage: 'file', duplicate_window: 86_400e9, max_age: 30 * 86_400e9 });
    expect(sink(daemon)).toMatchObject({ state: 'live', published: 5, lag: 0, duplicates: 0, duplicateWindowSeconds: 86_400, lastError: null });
  }, 30_000);

  it('stores a mail once when one engine has it from a push and another from a catch-up, under two event ids', async () => {
    const nats = await broker();
    const key = 'om_nats_two_routes_0123456789';
    const demo = await DemoProvider.start({ apiKey: key, intervalMs: null });
    cleanups.push(() => demo.stop());
    const account = { name: 'work', provider: 'openmail' as const, url: demo.url, apiUrl: demo.restUrl, inboxIds: [], eventTypes: [], apiKey: key };
    const [a, b] = [await engine({ url: nats.url }, { accounts: [account] }), await engine({ url: nats.url }, { accounts: [account], engineName: 'engine-b' })];
    const pushed = mailEvent({ event_id: 'evt_pushed_1', message: { id: 'msg_two_routes', from: 'a@example.com', to: 'agent@openmail.sh', subject: 'Hi' } });
    const listed: MailEvent = { ...pushed, event_id: 'evt_catchup_msg_two_routes', delivery: 'catch_up' };
    a.events.commit('work', [pushed]);
    b.events.commit('work', [listed]);
    await waitFor(() => caughtUp(a) && caughtUp(b) && sink(a).position === 1 && sink(b).position === 1, 10_000, 'both sinks to publish');

    const stored = await readStream(nats.url, 'MAILBRIDGE');
    expect(stored.map((m) => m.msgId)).toEqual(['work:message.received:id:msg_two_routes']);
    expect(sink(a).duplicates + sink(b).duplicates).toBe(1);
  });

  it('loses nothing when the broker is killed mid-burst and comes back, and retention keeps what is not published', async () => {
    const nats = await broker();
    const daemon = await engine({ url: nats.url });
    const total = 3_000;
    let committed = 0;
    const commitSome = (n: number): void => {
      daemon.events.commit('work', mailEvents(n));
      committed += n;
    };
    commitSome(500);
    await waitFor(() => sink(daemon).position > 0, 10_000, 'publishing to start');
    await nats.kill();
    while (committed < total) commitSome(250);
    await waitFor(() => sink(daemon).state === 'backoff', 20_000, 'the sink to notice the broker is gone');
    expect(sink(daemon).lastError?.message).toMatch(/NATS/);

    // Retention asked to keep 10 events keeps every one the sink still owes the stream.
    const owed = sink(daemon).position;
    daemon.setRetention({ maxAgeDays: null, maxEvents: 10 });
    expect(daemon.events.oldestSeq()).toBeLessThanOrEqual(owed + 1);
    expect(daemon.events.count()).toBeGreaterThanOrEqual(total - owed);

    await nats.restart();
    await waitFor(() => caughtUp(daemon) && sink(daemon).position === total, 60_000, 'the sink to catch up');
    const stored = await readStream(nats.url, 'MAILBRIDGE');
    const ids = stored.map((m) => m.msgId);
    expect(new Set(ids).size).toBe(total);
    expect(stored).toHaveLength(total);
  }, 120_000);

  it('refuses an existing stream whose subjects miss ours, says so, and leaves it as it was', async () => {
    const nats = await broker();
    const nc = await connect({ servers: nats.url });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'MAILBRIDGE', subjects: ['orders.>'] });
    const daemon = await engine({ url: nats.url });
    daemon.events.commit('work', mailEvents(3));
    await waitFor(() => sink(daemon).lastError !== null, 10_000, 'the refusal');
    expect(sink(daemon).state).not.toBe('live');
    expect(sink(daemon).lastError?.message).toMatch(/the stream MAILBRIDGE exists with subjects \["orders\.>"\], which do not capture mailbridge\.>/);
    expect(sink(daemon).position).toBe(0);
    const info = await jsm.streams.info('MAILBRIDGE');
    await nc.close();
    expect(info.config.subjects).toEqual(['orders.>']);
    expect(info.state.messages).toBe(0);
  }, 30_000);

  it('says a wrong password is refused and keeps retrying without crashing; the right one then publishes', async () => {
    const nats = await broker(USERS);
    const daemon = await engine({ url: nats.url, user: 'publisher', credentials: 'wrong-password' });
    daemon.events.commit('work', mailEvents(2));
    await waitFor(() => sink(daemon).lastError !== null, 10_000, 'the refusal');
    const first = sink(daemon).lastError!;
    expect(first.message).toMatch(/NATS at nats:\/\/127\.0\.0\.1:\d+ refused the credentials \(Authorization Violation\)/);
    expect(first.message).not.toContain('wrong-password');
    await waitFor(() => sink(daemon).lastError!.at !== first.at, 10_000, 'a second attempt');
    expect(sink(daemon).state).not.toBe('live');

    await daemon.setNatsSink({ url: nats.url, user: 'publisher', credentials: 'right-password', stream: 'MAILBRIDGE', subjectPrefix: 'mailbridge', maxAgeDays: 30, maxBytes: null });
    await waitFor(() => caughtUp(daemon) && sink(daemon).position === 2, 10_000, 'publishing with the right password');
    expect(await streamCount(nats.url, 'MAILBRIDGE', { user: 'publisher', pass: 'right-password' })).toBe(2);
  }, 30_000);

  it('names the permission a user lacks on the stream, and retries', async () => {
    const nats = await broker(USERS);
    const daemon = await engine({ url: nats.url, user: 'narrow', credentials: 'narrow-password' });
    daemon.events.commit('work', mailEvents(1));
    await waitFor(() => sink(daemon).lastError !== null, 15_000, 'the refusal');
    const first = sink(daemon).lastError!;
    expect(first.message).toMatch(/NATS denied a permission \(Permissions Violation for Publish to "\$JS\.API\.STREAM\.INFO\.MAILBRIDGE"\)/);
    expect(first.message).toMatch(/needs to publish to \$JS\.API\.STREAM\.INFO\.MAILBRIDGE, \$JS\.API\.STREAM\.CREATE\.MAILBRIDGE and mailbridge\.>/);
    await waitFor(() => sink(daemon).lastError!.at !== first.at, 15_000, 'a second attempt');
    expect(sink(daemon)).toMatchObject({ position: 0, lag: 1 });
  }, 30_000);
});
