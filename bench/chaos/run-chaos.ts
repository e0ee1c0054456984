// One chaos run against one provider flavour: the demo provider emits mail at a steady rate while seeded random
// faults hit the provider (its socket, its replay, its REST API, its attachment links), the daemon child, the webhook
// target and the agents. Five agents read throughout, each the way real ones do; at the end every mail the provider
// received, pushed or not, is looked for at every one of them, once, whichever route brought it, and the files of
// the stored mail are fetched from their local_url and compared with the provider's. Shared by `npm run chaos` and
// the test.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DemoProvider } from '../../daemon/demo/server.ts';
import { seededRandom } from '../../daemon/demo/samples.ts';
import type { MailEvent } from '../../shared/event.ts';
import { PROVIDERS, type ProviderName } from '../../shared/status.ts';
import { sleep, waitFor } from '../../test/support/wait-for.ts';
import { LocalWsClient } from '../clients/local-ws-client.ts';
import { LongPollClient } from '../clients/long-poll-client.ts';
import { SseClient } from '../clients/sse-client.ts';
import { WebhookReceiver } from '../clients/webhook-receiver.ts';
import { JetStreamConsumer } from '../clients/jetstream-consumer.ts';
import { NatsServer } from '../../test/support/nats-server.ts';
import { type AttachmentCheck, checkAttachments } from './attachment-check.ts';
import { heal, pickFault, type World } from './faults.ts';
import { Ledger, type LedgerVerdict } from './ledger.ts';
import { mailIdentity, receivedMail } from './mail-identity.ts';
import { RestartableDaemon } from './restartable-daemon.ts';

export interface ChaosOptions {
  /** The provider the demo stands in for: OpenMail replays, AgentMail and myagentmail only push. */
  flavour: ProviderName;
  faults: number;
  seed: number;
  eventsPerSecond: number;
  /** Mean pause between faults; each pause is drawn from half to one and a half times this. */
  meanFaultIntervalMs: number;
  /** How long the agents get, after the last fault, to receive everything. */
  drainTimeoutMs: number;
  /** Also publish into a JetStream broker, read by a durable consumer: a sixth agent. */
  nats?: boolean;
  /** At most this many attachment files are fetched from their local_url at the end (a seeded sample past it). */
  attachmentSample?: number;
  /** How long the daemon may take, at the end, to fetch the attachments it still has pending before they are checked. */
  attachmentSettleMs?: number;
  log(line: string): void;
}

export const DEFAULT_CHAOS: Omit<ChaosOptions, 'log' | 'flavour'> = {
  faults: 200,
  seed: 1,
  eventsPerSecond: 40,
  meanFaultIntervalMs: 1_500,
  drainTimeoutMs: 120_000,
};

export interface ChaosResult {
  flavour: ProviderName;
  faults: number;
  /** Mail the provider received, pushed or not. */
  events: number;
  /** Mail missing at a consumer, summed over consumers. */
  lost: number;
  /** Mail handed again to a cursor already past it, by any route, summed over consumers. */
  duplicated: number;
  /** The stored mail's files, fetched from local_url at the end. */
  attachments: AttachmentCheck;
  byFault: Record<string, number>;
  consumers: LedgerVerdict[];
  webhook: { repeats: number; badSignatures: number; refusedWhileFailing: number };
  wsErrors: string[];
  daemonStarts: number;
  /** Daemon exits chaos did not cause. */
  daemonCrashes: number;
  seconds: number;
  /** Kept for a look when something was lost or duplicated; removed otherwise. */
  workDir: string | null;
}

// The engine retries a failed webhook 30 s later (OpenMail's schedule); failing faults further apart than that
// cost one retry each instead of piling up towards a dead letter.
const FAILING_FAULT_SPACING_MS = 35_000;
const EVENTS_AFTER_HEALING = 20;
/** Catch-up's last net runs this often here, so mail only the REST API holds is found before the drain ends. */
const CATCH_UP_INTERVAL_MS = 3_000;
const DEFAULT_ATTACHMENT_SAMPLE = 400;
/** Long enough for a 429 that asks for the rest of the minute, twice, and retries after the run's REST faults. */
const DEFAULT_ATTACHMENT_SETTLE_MS = 150_000;

/** What the provider received and saw, and what each agent missed, next to the daemon's log and database. */
function writeEvidence(workDir: string, provider: DemoProvider, ledgers: readonly Ledger[]): void {
  const keys = receivedMail(provider);
  const inbound = provider.mailbox.all().filter((message) => message.direction === 'inbound');
  const mail = inbound.map((message, index) => `${index}\t${keys[index]}\t${message.id}\t${message.eventId}\t${message.at}`);
  fs.writeFileSync(path.join(workDir, 'received.tsv'), `index\tkey\tmessage_id\tevent_id\tat\n${mail.join('\n')}\n`);
  fs.writeFileSync(path.join(workDir, 'subscribes.json'), `${JSON.stringify(provider.subscribes, null, 1)}\n`);
  const missing = Object.fromEntries(ledgers.map((ledger) => [ledger.name, keys.filter((key) => !ledger.has(key))]));
  fs.writeFileSync(path.join(workDir, 'missing.json'), `${JSON.stringify(missing, null, 1)}\n`);
}

export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const started = performance.now();
  // Each flavour draws its own faults from the seed.
  const random = seededRandom(options.seed + PROVIDERS.indexOf(options.flavour) * 7_919);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `mailbridge-chaos-${options.flavour}-`));
  const identity = mailIdentity(options.flavour);
  const apiKey = `om_chaos_${randomBytes(12).toString('hex')}`;
  const ledgers = {
    longPoll: new Ledger('long-poll cursor (TCP)'),
    consumer: new Ledger('named consumer + ack (Unix socket)'),
    sse: new Ledger('SSE with Last-Event-ID'),
    ws: new Ledger('local WebSocket with last_event_id'),
    webhook: new Ledger('webhook target (verified, deduped)'),
    ...(options.nats ? { nats: new Ledger('JetStream durable consumer (acked)') } : {}),
  };
  const all = Object.values(ledgers);
  const nats = options.nats ? await NatsServer.start() : null;
  let jetStreamConsumer: JetStreamConsumer | null = null;
  // The provider reaps silent sockets within 2 s, as OpenMail does within 40 s.
  // myagentmail's pushes alternate between its two documented forms.
  const provider = await DemoProvider.start({
    apiKey,
    seed: options.seed,
    flavour: options.flavour,
    myAgentMailPushForm: 'both',
    pingIntervalMs: 1_000,
    pongTimeoutMs: 1_000,
    logLimit: 10_000_000,
    rest: { mailboxLimit: 10_000_000 },
  });
  const receiver = await WebhookReceiver.start(`whsec_${randomBytes(16).toString('hex')}`, (event) => ledgers.webhook.record(identity(event)));
  const daemon = new RestartableDaemon(
    {
      dataDir: path.join(workDir, 'data'),
      accounts: [{ name: 'chaos', provider: options.flavour, url: provider.url, apiUrl: provider.restUrl, apiKey }],
      port: 0,
      unixSocket: true,
      forwardTargets: [{ id: 'chaos-hook', url: receiver.url, secret: receiver.secret }],
      // Short, so half-open sockets are found in a second rather than twenty.
      heartbeat: { quietMs: 500, timeoutMs: 500 },
      backoff: { baseMs: 50, capMs: 500, stableMs: 1_000 },
      catchUp: { intervalMs: CATCH_UP_INTERVAL_MS, backoff: { baseMs: 200, capMs: 2_000, stableMs: 0 } },
      retention: { maxAgeDays: null, maxEvents: null },
      ...(nats ? { natsUrl: nats.url } : {}),
    },
    workDir,
  );
  const endpoint = () => daemon.endpoint();
  const longPoll = new LongPollClient({
    endpoint,
    via: 'tcp',
    after: 0,
    waitSeconds: 2,
    limit: 500,
    retryMs: 100,
    onEvents: (events) => {
      for (const e of events) ledgers.longPoll.record(identity(e), e.seq);
    },
  });
  const named: LongPollClient = new LongPollClient({
    endpoint,
    via: 'unix',
    consumer: 'chaos',
    waitSeconds: 2,
    limit: 500,
    retryMs: 100,
    onEvents: (events) => {
      for (const e of events) ledgers.consumer.record(identity(e), e.seq, named.position);
    },
  });
  const sse = new SseClient({
    endpoint,
    after: 0,
    retryMs: 100,
    onEvent: (seq, data) => ledgers.sse.record(identity(JSON.parse(data) as MailEvent), seq),
  });
  const ws = new LocalWsClient({ endpoint, retryMs: 100, onEvent: (event) => ledgers.ws.record(identity(event)) });
  const world: World = { provider, daemon, receiver, sse, ws, random, providerRestarting: false };
  const tasks = new Set<Promise<unknown>>();
  const byFault: Record<string, number> = {};
  let emitting: NodeJS.Timeout | null = null;
  let crashes = 0;
  let failed = true;

  try {
    await daemon.start();
    await daemon.current!.waitForState('live', 0, 10_000);
    longPoll.start();
    named.start();
    sse.start();
    await ws.start();
    if (nats) {
      // A redelivery (same stream sequence) is at-least-once; a second stream message for one event is a duplicate.
      jetStreamConsumer = await JetStreamConsumer.start(nats.url, 'MAILBRIDGE', 'chaos', (d) =>
        ledgers.nats!.record(identity(d.event), d.streamSeq, d.redelivered ? d.streamSeq - 1 : null),
      );
    }
    emitting = setInterval(() => provider.emit(), 1_000 / options.eventsPerSecond);
    // Faults start only once every agent has a position to resume from.
    await waitFor(() => all.every((l) => l.size > 0), 15_000, 'every agent to receive its first event');

    let lastFailing = -Infinity;
    for (let i = 0; i < options.faults; i++) {
      await sleep(options.meanFaultIntervalMs * (0.5 + random()));
      if (!daemon.busy && daemon.current !== null && !daemon.current.running) {
        crashes += 1;
        options.log(`the daemon exited on its own (see ${daemon.logFile}); starting it again`);
        await daemon.settled();
      }
      const now = performance.now();
      const fault = pickFault(world, (f) => !f.failsDeliveries || now - lastFailing >= FAILING_FAULT_SPACING_MS);
      if (fault.failsDeliveries) lastFailing = now;
      byFault[fault.name] = (byFault[fault.name] ?? 0) + 1;
      fault.inject(world, tasks);
      if ((i + 1) % 25 === 0) options.log(`${options.flavour}: ${i + 1}/${options.faults} faults, ${provider.mailbox.all().length} mails`);
    }

    while (tasks.size > 0) await Promise.allSettled([...tasks]);
    await heal(world);
    await sleep((EVENTS_AFTER_HEALING * 1000) / options.eventsPerSecond);
    clearInterval(emitting);
    emitting = null;
    const emitted = receivedMail(provider);
    options.log(`${options.flavour}: faults over; waiting for ${emitted.length} mails to reach every agent`);
    await waitFor(() => emitted.every((id) => all.every((l) => l.has(id))), options.drainTimeoutMs, 'every agent to catch up').catch((error: Error) =>
      options.log(error.message),
    );
    // Late duplicates would arrive now.
    await sleep(1_000);

    const consumers = all.map((l) => l.verdict(emitted));
    const lost = consumers.reduce((sum, c) => sum + c.lost, 0);
    const duplicated = consumers.reduce((sum, c) => sum + c.duplicated, 0);
    const attachments = await checkAttachments(
      provider,
      daemon.endpoint()!,
      random,
      options.attachmentSample ?? DEFAULT_ATTACHMENT_SAMPLE,
      options.attachmentSettleMs ?? DEFAULT_ATTACHMENT_SETTLE_MS,
    );
    failed = lost > 0 || duplicated > 0 || receiver.badSignatures > 0 || crashes > 0 || attachments.whole < attachments.checked;
    if (failed) writeEvidence(workDir, provider, all);
    return {
      flavour: options.flavour,
      faults: Object.values(byFault).reduce((sum, n) => sum + n, 0),
      events: emitted.length,
      lost,
      duplicated,
      attachments,
      byFault,
      consumers,
      webhook: { repeats: receiver.repeats, badSignatures: receiver.badSignatures, refusedWhileFailing: receiver.refusedWhileFailing },
      wsErrors: ws.errors,
      daemonStarts: daemon.starts,
      daemonCrashes: crashes,
      seconds: (performance.now() - started) / 1000,
      workDir: failed ? workDir : null,
    };
  } finally {
    if (emitting !== null) clearInterval(emitting);
    sse.stop();
    ws.stop();
    await Promise.all([longPoll.stop(), named.stop()]);
    await jetStreamConsumer?.stop();
    await daemon.stop();
    await nats?.stop();
    await receiver.stop();
    await provider.stop();
    if (!failed) fs.rmSync(workDir, { recursive: true, force: true });
  }
}

