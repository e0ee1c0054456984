// Catch-up in the running engine, against the demo provider's real WebSocket and REST API in each flavour, with a
// real SQLite store and real agents on the local endpoint: mail the socket never delivered reaches every agent
// once, however late the socket then pushes it again, and the status says what catch-up did.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalWsClient } from '../../../bench/clients/local-ws-client.ts';
import { LongPollClient } from '../../../bench/clients/long-poll-client.ts';
import { SseClient } from '../../../bench/clients/sse-client.ts';
import { WebhookReceiver } from '../../../bench/clients/webhook-receiver.ts';
import type { CatchUpPolicy } from '../../../daemon/catchup/policy.ts';
import type { Daemon } from '../../../daemon/daemon.ts';
import { pushFrame } from '../../../daemon/demo/flavours/socket.ts';
import { DemoProvider } from '../../../daemon/demo/server.ts';
import { startEngine } from '../../../daemon/engine.ts';
import { getAdapter } from '../../../daemon/providers/index.ts';
import type { MailEvent } from '../../../shared/event.ts';
import type { ProviderName, UpstreamStatus } from '../../../shared/status.ts';
import { testDaemonOptions } from '../../support/daemon-options.ts';
import { sleep, waitFor } from '../../support/wait-for.ts';

const KEY = 'catchup_key_0123456789';
const ACCOUNT = 'acct';
const [INBOX_A, INBOX_B] = ['inb_aaaa0001', 'inb_bbbb0002'];
const cleanups: (() => Promise<unknown> | unknown)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function provider(flavour: ProviderName): Promise<DemoProvider> {
  const demo = await DemoProvider.start({ apiKey: KEY, flavour, inboxes: [INBOX_A, INBOX_B], pingIntervalMs: 60_000, myAgentMailPushForm: 'both' });
  cleanups.push(() => demo.stop());
  return demo;
}

interface EngineSetup {
  inboxIds?: string[];
  forwardTo?: WebhookReceiver;
  catchUp?: Partial<CatchUpPolicy>;
  dataDir?: string;
}

async function engine(demo: DemoProvider, setup: EngineSetup = {}): Promise<{ daemon: Daemon; dataDir: string }> {
  const dataDir = setup.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-catchup-'));
  const { daemon } = await startEngine(
    testDaemonOptions(dataDir, {
      accounts: [
        { name: ACCOUNT, provider: demo.flavour, url: demo.url, apiUrl: demo.restUrl, inboxIds: setup.inboxIds ?? [], eventTypes: [], apiKey: KEY },
      ],
      unixSocket: true,
      backoff: { baseMs: 50, capMs: 200, stableMs: 300 },
      catchUp: { backoff: { baseMs: 100, capMs: 400, stableMs: 0 }, ...setup.catchUp },
      forwardTargets: setup.forwardTo ? [{ id: 'hook', url: setup.forwardTo.url, secret: setup.forwardTo.secret, inboxIds: [], eventTypes: [] }] : [],
    }),
  );
  cleanups.push(async () => {
    await daemon.stop();
    if (!setup.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });
  return { daemon, dataDir };
}

const account = (daemon: Daemon): UpstreamStatus => daemon.upstreamStatus()[0]!;
const live = (daemon: Daemon) => waitFor(() => account(daemon).state === 'live', 10_000, 'the account to be live');
/** Catch-up finished a run after `since` (epoch ms), with no gap left. */
const caughtUpSince = (daemon: Daemon, since: number) =>
  waitFor(
    () => {
      const status = account(daemon).catchUp;
      return status !== undefined && status.lastRunAt !== null && Date.parse(status.lastRunAt) >= since && status.gap === null && status.state === 'idle';
    },
    10_000,
    'a complete catch-up',
  );

/** The key a mail has on every route: what counts as "the same mail" at an agent. */
function mailKey(flavour: ProviderName, event: MailEvent): string {
  return getAdapter(flavour).messageKey(event) ?? `event:${event.event_id}`;
}

/** The key of a mail the provider sent, as its push would carry it. */
function sentKey(flavour: ProviderName, event: MailEvent): string {
  const frame = getAdapter(flavour).classify(JSON.stringify(pushFrame(flavour, event, null, 'event', 0)));
  if (frame.kind !== 'event') throw new Error('not an event');
  return mailKey(flavour, frame.event);
}

/** How many times each mail reached one agent. */
class Tally {
  readonly counts = new Map<string, number>();
  readonly #flavour: ProviderName;
  constructor(flavour: ProviderName) {
    this.#flavour = flavour;
  }
  add(event: MailEvent): void {
    const key = mailKey(this.#flavour, event);
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
  has(keys: readonly string[]): boolean {
    return keys.every((key) => this.counts.has(key));
  }
  /** Mails seen more than once. */
  repeats(): string[] {
    return [...this.counts].filter(([, count]) => count > 1).map(([key]) => key);
  }
}

function endpointOf(daemon: Daemon) {
  const api = daemon.endpoint!;
  return () => ({ url: api.url, socket: api.socketPath, token: fs.readFileSync(api.tokenFile, 'utf8').trim() });
}

function longPoll(daemon: Daemon, tally: Tally): LongPollClient {
  const client = new LongPollClient({
    endpoint: endpointOf(daemon),
    via: 'tcp',
    after: 0,
    waitSeconds: 2,
    limit: 500,
    retryMs: 50,
    onEvents: (events) => {
      for (const event of events) tally.add(event);
    },
  });
  client.start();
  cleanups.push(() => client.stop());
  return client;
}

describe.each(['agentmail', 'myagentmail'] as const)('catch-up with a %s upstream, which cannot replay', (flavour) => {
  it('brings 20 mails sent while the socket was down to a long-polling agent, each once, however often the socket pushes them later', async () => {
    const demo = await provider(flavour);
    const { daemon } = await engine(demo);
    const agent = new Tally(flavour);
    longPoll(daemon, agent);
    await live(daemon);
    const before = demo.emitMany(3);
    await waitFor(() => agent.has(before.map((event) => sentKey(flavour, event))), 5_000, 'the live mail');

    // The provider is unreachable for a while: mail arrives meanwhile, and nothing will push it.
    const down = demo.restart(800);
    demo.setPushOff(true);
    const sent = demo.emitMany(20);
    demo.setPushOff(false);
    const reconnecting = Date.now();
    await down;
    const keys = sent.map((event) => sentKey(flavour, event));
    await waitFor(() => agent.has(keys), 10_000, 'the 20 mails at the agent');
    await caughtUpSince(daemon, reconnecting);
    expect(account(daemon).catchUp).toMatchObject({ gap: null, lastError: null, recovered: 20 });

    // Late pushes of mail already caught up, some twice: taken as the duplicates they are.
    demo.pushLate(12);
    demo.setDuplicates(true);
    demo.pushLate();
    await waitFor(() => account(daemon).counters.duplicates >= 16, 5_000, 'the late pushes');
    const after = demo.emit();
    await waitFor(() => agent.has([sentKey(flavour, after)]), 5_000, 'the next live mail');
    expect(agent.repeats()).toEqual([]);
    expect(agent.counts.size).toBe(24);
    expect(daemon.events.count()).toBe(24);
    const stored = daemon.events.after(0, 100);
    expect(stored.filter((event) => event.delivery === 'catch_up').map((event) => mailKey(flavour, event)).sort()).toEqual([...keys].sort());
  });
});

describe('catch-up with an OpenMail upstream', () => {
  it('brings mail sent during a gap the saved cursor can no longer replay to the agent, once', async () => {
    const demo = await provider('openmail');
    const { daemon } = await engine(demo);
    const agent = new Tally('openmail');
    longPoll(daemon, agent);
    await live(daemon);
    const before = demo.emitMany(3);
    await waitFor(() => agent.has(before.map((event) => sentKey('openmail', event))) && account(daemon).cursor === before[2]!.event_id);

    const down = demo.restart(800);
    demo.forgetReplayLog();
    const sent = demo.emitMany(20);
    const reconnecting = Date.now();
    await down;
    await waitFor(() => agent.has(sent.map((event) => sentKey('openmail', event))), 10_000, 'the 20 mails at the agent');
    await caughtUpSince(daemon, reconnecting);
    expect(account(daemon).possibleGap).toBeNull();
    expect(demo.subscribes.map((subscribe) => subscribe.lastEventId)).toContain(before[2]!.event_id);
    expect(daemon.events.after(3, 100).map((event) => event.delivery)).toEqual(Array(20).fill('catch_up'));
    // The replay log holds these again: a replay that brings them now brings nothing new.
    demo.drop();
    await sleep(300);
    await live(daemon);
    expect(agent.repeats()).toEqual([]);
    expect(daemon.events.count()).toBe(23);
  });

  it('needs no catch-up while replay covers a gap, yet looks after a wake and on its interval', async () => {
    const demo = await provider('openmail');
    const { daemon } = await engine(demo, { catchUp: { intervalMs: 1_500 } });
    await live(daemon);
    await waitFor(() => account(daemon).catchUp?.lastRunAt != null, 5_000, 'the first catch-up (no cursor yet)');
    demo.emit();
    await waitFor(() => daemon.events.count() === 1);

    // Mail the socket never pushes and replay never brings: a wake finds it.
    demo.setPushOff(true);
    const hidden = demo.emitMany(2);
    daemon.wake('test: the machine woke');
    await waitFor(() => daemon.events.count() === 3, 5_000, 'a catch-up after the wake');
    const hiddenLater = demo.emitMany(2);
    // And the interval, with no reason at all.
    await waitFor(() => daemon.events.count() === 5, 5_000, 'a catch-up on the interval');
    const ids = daemon.events.after(0, 10).map((event) => event.message!.id);
    expect(ids).toEqual(expect.arrayContaining([...hidden, ...hiddenLater].map((event) => event.message!.id)));
  });
});

describe('what catch-up leaves to the socket', () => {
  it('mail that arrives while catch-up runs is left to the push, which brings it with its own event id', async () => {
    const demo = await provider('openmail');
    // A catch-up every quarter second, while mail arrives and is pushed.
    const { daemon } = await engine(demo, { catchUp: { intervalMs: 250 } });
    await live(daemon);
    // Pushes held back up to 200 ms: a catch-up lists them before they arrive.
    demo.setOutOfOrder(true);
    const sent: MailEvent[] = [];
    for (let i = 0; i < 8; i++) {
      sent.push(demo.emit());
      await sleep(60);
    }
    const last = Date.now();
    await waitFor(() => daemon.events.count() === 8, 5_000, 'the pushed mail');
    await caughtUpSince(daemon, last + 2_500);
    expect(daemon.events.after(0, 10).map((event) => event.event_id).sort()).toEqual(sent.map((event) => event.event_id).sort());
    expect(account(daemon).catchUp?.recovered).toBe(0);
  });
});

describe('what catch-up leaves to the socket, once', () => {
  it('takes mail the socket did not bring after one wait, even from a provider whose clock runs ahead', async () => {
    const demo = await provider('agentmail');
    const { daemon } = await engine(demo);
    await live(daemon);
    await waitFor(() => account(daemon).catchUp?.lastRunAt != null, 5_000, 'the first catch-up');
    demo.setPushOff(true);
    const ahead = new Date(Date.now() + 60_000).toISOString();
    const [sample] = demo.emitMany(1);
    const future = demo.emit({ ...sample, event_id: 'evt_future', message: { ...sample!.message!, id: 'msg_future', received_at: ahead }, occurred_at: ahead });
    const woke = Date.now();
    daemon.wake('test');
    await caughtUpSince(daemon, woke);
    expect(daemon.events.after(0, 10).map((event) => event.message!.id).sort()).toEqual([sample!.message!.id, future.message!.id].sort());
    expect(Date.now() - woke).toBeLessThan(10_000);
  });
});

describe('what catch-up covers', () => {
  it('on a brand-new account, only the time since it was added; never the mailbox before', async () => {
    const demo = await provider('myagentmail');
    const yesterday = new Date(Date.now() - 86_400_000).toISOString();
    for (let i = 0; i < 5; i++) {
      demo.emit({ inbox_id: INBOX_A, occurred_at: yesterday, message: { id: `msg_${i}`, from: 'a@example.com', to: 'b@example.com', subject: `Old ${i}`, received_at: yesterday } });
    }
    const startedAt = Date.now();
    const { daemon } = await engine(demo);
    await caughtUpSince(daemon, startedAt);
    expect(daemon.events.count()).toBe(0);
    expect(account(daemon).catchUp).toMatchObject({ lastRecovered: 0, recovered: 0 });
  });

  it('after a restart, back to the newest mail already held: what arrived while the engine was stopped', async () => {
    const demo = await provider('agentmail');
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-catchup-'));
    cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const first = await engine(demo, { dataDir });
    await live(first.daemon);
    demo.emitMany(4);
    await waitFor(() => first.daemon.events.count() === 4);
    await first.daemon.stop();

    const whileStopped = demo.emitMany(6);
    const restartedAt = Date.now();
    const second = await engine(demo, { dataDir });
    await caughtUpSince(second.daemon, restartedAt);
    expect(second.daemon.events.count()).toBe(10);
    expect(account(second.daemon).catchUp?.lastRecovered).toBe(6);
    const recovered = second.daemon.events.after(4, 100).map((event) => event.message!.id);
    expect(recovered.sort()).toEqual(whileStopped.map((event) => event.message!.id).sort());
  });
});

describe('one mail, once, across routes', () => {
  it('reaches each agent, consumer, forward target and notification once, whichever route came first', async () => {
    const flavour = 'agentmail';
    const demo = await provider(flavour);
    const tallies = {
      longPoll: new Tally(flavour),
      consumer: new Tally(flavour),
      sse: new Tally(flavour),
      ws: new Tally(flavour),
      webhook: new Tally(flavour),
      notifications: new Tally(flavour),
    };
    // Verifies each signature and hands on each X-Event-Id once, as OpenMail asks webhook handlers to.
    const receiver = await WebhookReceiver.start('whsec_catchup_test', (event) => tallies.webhook.add(event));
    cleanups.push(() => receiver.stop());
    const { daemon } = await engine(demo, { forwardTo: receiver });
    // What the tray's notifications see: every batch the store publishes.
    daemon.hub.onCommitted((events) => {
      for (const event of events) tallies.notifications.add(event);
    });
    longPoll(daemon, tallies.longPoll);
    const named = new LongPollClient({
      endpoint: endpointOf(daemon),
      via: 'unix',
      consumer: 'agent',
      waitSeconds: 2,
      limit: 500,
      retryMs: 50,
      onEvents: (events) => {
        for (const event of events) tallies.consumer.add(event);
      },
    });
    named.start();
    cleanups.push(() => named.stop());
    const sse = new SseClient({ endpoint: endpointOf(daemon), after: 0, retryMs: 50, onEvent: (_seq, data) => tallies.sse.add(JSON.parse(data) as MailEvent) });
    sse.start();
    cleanups.push(() => sse.stop());
    const ws = new LocalWsClient({ endpoint: endpointOf(daemon), retryMs: 50, onEvent: (event) => tallies.ws.add(event) });
    await ws.start();
    cleanups.push(() => ws.stop());
    await live(daemon);

    // REST first: held back from the socket, caught up on the reconnect, then pushed late.
    demo.setPushOff(true);
    const restFirst = demo.emitMany(5);
    demo.setPushOff(false);
    demo.drop();
    await waitFor(() => account(daemon).catchUp?.recovered === 5, 5_000, 'the catch-up after the reconnect');
    demo.pushLate();
    // Push first: delivered live, then listed again by the catch-up a wake asks for.
    const pushFirst = demo.emitMany(5);
    await waitFor(() => daemon.events.count() === 10, 5_000, 'the pushed mail');
    const woke = Date.now();
    daemon.wake('test');
    await caughtUpSince(daemon, woke);

    const keys = [...restFirst, ...pushFirst].map((event) => sentKey(flavour, event));
    await waitFor(() => Object.values(tallies).every((tally) => tally.has(keys)), 10_000, 'every mail at every consumer');
    await sleep(500);
    for (const [name, tally] of Object.entries(tallies)) {
      expect({ name, repeats: tally.repeats(), mails: tally.counts.size }).toEqual({ name, repeats: [], mails: 10 });
    }
    expect(daemon.events.count()).toBe(10);
    expect(account(daemon).counters.duplicates).toBeGreaterThanOrEqual(5);
  });
});

describe('bad answers from the provider', () => {
  it('REST errors: a clear status and a possible gap until a retry with backoff gets through', async () => {
    const demo = await provider('myagentmail');
    const { daemon } = await engine(demo);
    await live(daemon);
    await waitFor(() => account(daemon).catchUp?.state === 'idle' && account(daemon).catchUp?.lastRunAt != null);
    await demo.setRestDown('error');
    demo.setPushOff(true);
    demo.emitMany(4);
    demo.drop();
    await waitFor(() => account(daemon).catchUp?.state === 'backoff', 5_000, 'a failed catch-up');
    expect(account(daemon).catchUp).toMatchObject({
      lastError: expect.stringMatching(/HTTP 500/),
      gap: { reason: expect.stringMatching(/cannot replay/) },
      nextRunAt: expect.any(String),
    });
    expect(account(daemon).state).toBe('live');
    const healed = Date.now();
    await demo.setRestDown(null);
    await caughtUpSince(daemon, healed - 1_000);
    expect(account(daemon).catchUp).toMatchObject({ lastError: null, gap: null, lastRecovered: 4 });
    expect(daemon.events.count()).toBe(4);
  });

  it('429: waits out Retry-After and completes', async () => {
    const demo = await provider('openmail');
    demo.throttleRest(1);
    const startedAt = Date.now();
    const { daemon } = await engine(demo);
    await caughtUpSince(daemon, startedAt);
    expect(account(daemon).catchUp?.lastError).toBeNull();
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(900);
  });

  it('a refused key: needs key, and no retry storm', async () => {
    const demo = await provider('agentmail');
    const { daemon } = await engine(demo);
    await live(daemon);
    await waitFor(() => account(daemon).catchUp?.lastRunAt != null);
    demo.revokeKey();
    daemon.wake('test');
    await waitFor(() => account(daemon).catchUp?.state === 'needs_key', 5_000, 'needs key');
    expect(account(daemon).catchUp?.lastError).toMatch(/HTTP 401.*rejected the API key/);
    const next = Date.parse(account(daemon).catchUp!.nextRunAt!);
    expect(next - Date.now()).toBeGreaterThan(60_000);
  });

  it('an inbox the provider does not know: the others are caught up, and the status says which', async () => {
    const demo = await provider('openmail');
    const { daemon } = await engine(demo, { inboxIds: ['inb_gone', INBOX_A, INBOX_B] });
    // The socket refuses the unknown inbox too, so it never goes live: a wake asks for the catch-up.
    daemon.wake('test');
    await waitFor(() => account(daemon).catchUp?.state === 'backoff', 5_000, 'a failed catch-up');
    expect(account(daemon).catchUp?.lastError).toMatch(/inb_gone.*HTTP 404/);
    expect(account(daemon).state).not.toBe('stopped');
  });
});
