// b. Throughput. The upstream pushes a burst of events as fast as the socket takes them (live; a replay would
// measure the provider instead: OpenMail replays 100 per subscribe and allows 30 subscribes per 10 s, so at most
// 300 events/s). The daemon child commits them and fans them out to ten SSE agents and one webhook target; a
// second burst without the webhook target shows what the rest of the path does on its own. The webhook target
// takes up to 8 deliveries at once (`unordered`), as one set up for throughput would: in strict order each POST
// waits for the answer to the one before.
// Each path's rate is timed from the first frame sent to the last event in.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { SampleGenerator } from '../../daemon/demo/samples.ts';
import { DEFAULT_FORWARD_DELIVERY } from '../../shared/forward-delivery.ts';
import { sleep } from '../../test/support/wait-for.ts';
import { BenchUpstream } from '../bench-upstream.ts';
import type { Endpoint } from '../clients/endpoint.ts';
import { SseClient } from '../clients/sse-client.ts';
import { WebhookReceiver } from '../clients/webhook-receiver.ts';
import { DaemonProcess } from '../daemon-process.ts';
import { cpuMs, rssBytes } from '../proc-stats.ts';
import { mb, row, type BenchContext, type Row, type Scenario } from '../scenario.ts';

const SSE_CONSUMERS = 10;
const GOAL_EVENTS_PER_SECOND = 20_000;
const SEND_CHUNK = 500;
const WEBHOOK_DELIVERY = { ...DEFAULT_FORWARD_DELIVERY, order: 'unordered' as const, concurrency: 8 };

interface Frame {
  id: string;
  frame: string;
}

interface SseTally {
  client: SseClient;
  count: number;
  last: number;
  outOfOrder: number;
  doneAt: number | null;
}

interface BurstResult {
  commitPerSecond: number;
  ssePerSecond: number;
  /** null without a webhook target. */
  forwardPerSecond: number | null;
  forwarded: number;
  forwardRepeats: number;
  forwardBadSignatures: number;
  endToEndPerSecond: number | null;
  committed: number;
  ssePerConsumer: number[];
  sseOutOfOrder: number;
  daemonCpuPercentOfCore: number;
  benchCpuPercentOfCore: number;
  daemonPeakRssBytes: number;
  wallSeconds: number;
  complete: boolean;
}

export const throughput: Scenario = {
  id: 'b',
  title: 'throughput',
  async run(ctx) {
    const total = ctx.settings.burstEvents;
    const samples = new SampleGenerator({ seed: 50_000 });
    const makeBurst = (): Frame[] =>
      Array.from({ length: total }, () => {
        const event = samples.next();
        return { id: event.event_id, frame: JSON.stringify(event) };
      });
    const first = makeBurst();
    const frameBytes = first.reduce((sum, e) => sum + Buffer.byteLength(e.frame), 0);
    const full = await burst(ctx, 'b-webhook', first, true);
    ctx.log(`b. with webhook: commit ${full.commitPerSecond.toFixed(0)}/s, SSE ${full.ssePerSecond.toFixed(0)}/s, webhook ${full.forwardPerSecond?.toFixed(0)}/s`);
    const bare = await burst(ctx, 'b-sse', makeBurst(), false);
    ctx.log(`b. SSE only: commit ${bare.commitPerSecond.toFixed(0)}/s, SSE ${bare.ssePerSecond.toFixed(0)}/s`);

    const count = (r: BurstResult, n: number): string => (r.complete || n === total ? `${n}/${total}` : `${n}/${total}, incomplete after ${r.wallSeconds.toFixed(0)} s`);
    const rows: Row[] = [
      row('burst', `${total} events, ${mb(frameBytes)} of frames per burst`),
      row('with the webhook target: committed', `${full.commitPerSecond.toFixed(0)} events/s (${count(full, full.committed)})`),
      row(`  ${SSE_CONSUMERS} SSE agents, each`, `${full.ssePerSecond.toFixed(0)} events/s (${count(full, Math.min(...full.ssePerConsumer))}, ${full.sseOutOfOrder} out of order)`),
      row(`  webhook target (unordered, ${WEBHOOK_DELIVERY.concurrency} at once)`, `${full.forwardPerSecond!.toFixed(0)} events/s (${count(full, full.forwarded)})`),
      row(
        '  end to end (all of the above)',
        full.endToEndPerSecond === null ? `incomplete after ${full.wallSeconds.toFixed(0)} s` : `${full.endToEndPerSecond.toFixed(0)} events/s`,
        `>= ${GOAL_EVENTS_PER_SECOND} events/s`,
        full.endToEndPerSecond !== null && full.endToEndPerSecond >= GOAL_EVENTS_PER_SECOND,
      ),
      row('  daemon CPU / peak RSS', `${full.daemonCpuPercentOfCore.toFixed(0)} % of a core / ${mb(full.daemonPeakRssBytes)}`),
      row('without a webhook target: committed', `${bare.commitPerSecond.toFixed(0)} events/s (${count(bare, bare.committed)})`),
      row(
        `  ${SSE_CONSUMERS} SSE agents, each (end to end)`,
        `${bare.ssePerSecond.toFixed(0)} events/s (${count(bare, Math.min(...bare.ssePerConsumer))}, ${bare.sseOutOfOrder} out of order)`,
        `>= ${GOAL_EVENTS_PER_SECOND} events/s`,
        bare.endToEndPerSecond !== null && bare.endToEndPerSecond >= GOAL_EVENTS_PER_SECOND,
      ),
      row('  daemon CPU / peak RSS', `${bare.daemonCpuPercentOfCore.toFixed(0)} % of a core / ${mb(bare.daemonPeakRssBytes)}`),
    ];
    const findings: string[] = [];
    for (const r of [full, bare]) {
      if (r.sseOutOfOrder > 0 || r.ssePerConsumer.some((n) => n > total)) findings.push('SSE agents saw events out of order or more than once');
      if (r.forwardBadSignatures > 0) findings.push(`${r.forwardBadSignatures} webhook deliveries failed signature checks`);
    }
    return { rows, data: { events: total, frameBytes, withWebhook: full, sseOnly: bare }, findings };
  },
};

async function burst(ctx: BenchContext, name: string, frames: readonly Frame[], withWebhook: boolean): Promise<BurstResult> {
  const total = frames.length;
  // The webhook path is far slower than the rest; past this its rate so far is reported as incomplete.
  const deadlineMs = ctx.settings.quick ? 30_000 : 60_000;
  const apiKey = `om_bench_${randomBytes(12).toString('hex')}`;
  const dir = ctx.tempDir(name);
  const dataDir = path.join(dir, 'data');
  const upstream = await BenchUpstream.start(apiKey);
  let forwardDoneAt: number | null = null;
  const receiver = withWebhook
    ? await WebhookReceiver.start(`whsec_${randomBytes(16).toString('hex')}`, () => {
        if (receiver!.handled === total) forwardDoneAt = performance.now();
      })
    : null;
  const daemon = await DaemonProcess.start(
    {
      dataDir,
      accounts: [{ name: 'bench', provider: 'openmail', url: upstream.url, apiUrl: upstream.restUrl, apiKey }],
      port: 0,
      unixSocket: false,
      forwardTargets: receiver ? [{ id: 'bench-hook', url: receiver.url, secret: receiver.secret, delivery: WEBHOOK_DELIVERY }] : [],
    },
    { logFile: path.join(dir, 'daemon.log'), nodeArgs: ctx.childNodeArgs(name) },
  );
  const endpoint: Endpoint = { url: daemon.url, socket: null, token: daemon.token };
  const tallies: SseTally[] = [];
  const db = new BetterSqlite3(path.join(dataDir, 'events.db'), { readonly: true, fileMustExist: true });
  const latestSeq = db.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'events'");
  try {
    await daemon.waitForState('live', 0, 10_000);
    for (let i = 0; i < SSE_CONSUMERS; i++) {
      const tally: SseTally = { client: null as unknown as SseClient, count: 0, last: 0, outOfOrder: 0, doneAt: null };
      tally.client = new SseClient({
        endpoint: () => endpoint,
        after: 0,
        retryMs: 100,
        // Ids only: parsing 10 x the burst's JSON here would measure this process rather than the daemon.
        onEvent: (seq) => {
          if (seq !== tally.last + 1) tally.outOfOrder += 1;
          tally.last = seq;
          tally.count += 1;
          if (tally.count === total) tally.doneAt = performance.now();
        },
      });
      tally.client.start();
      tallies.push(tally);
    }
    while (tallies.some((t) => t.client.connects === 0) || upstream.subscribers === 0) await sleep(20);

    const cpu0 = cpuMs(daemon.pid);
    const benchCpu0 = process.cpuUsage();
    let peakRss = rssBytes(daemon.pid);
    let committedAt: number | null = null;
    const t0 = performance.now();
    for (let i = 0; i < frames.length; i += SEND_CHUNK) {
      for (const { id, frame } of frames.slice(i, i + SEND_CHUNK)) upstream.broadcast(id, frame);
      // Let the agents in this process read while the burst is still going out.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const deadline = t0 + deadlineMs;
    const forwardDone = (): boolean => receiver === null || forwardDoneAt !== null;
    while (performance.now() < deadline) {
      peakRss = Math.max(peakRss, rssBytes(daemon.pid));
      if (committedAt === null && (latestSeq.get()?.seq ?? 0) >= total) committedAt = performance.now();
      if (committedAt !== null && tallies.every((t) => t.doneAt !== null) && forwardDone()) break;
      await sleep(20);
    }
    const stoppedAt = performance.now();
    const wallSeconds = (stoppedAt - t0) / 1000;
    const daemonCpuMs = cpuMs(daemon.pid) - cpu0;
    const benchCpu = process.cpuUsage(benchCpu0);
    const rate = (doneAt: number | null, count: number): number => count / (((doneAt ?? stoppedAt) - t0) / 1000);
    const sseDoneAt = tallies.every((t) => t.doneAt !== null) ? Math.max(...tallies.map((t) => t.doneAt!)) : null;
    const committed = latestSeq.get()?.seq ?? 0;
    const ends = [committedAt, sseDoneAt, receiver === null ? 0 : forwardDoneAt];
    const endToEndAt = ends.every((at) => at !== null) ? Math.max(...(ends as number[])) : null;
    return {
      commitPerSecond: rate(committedAt, committed),
      ssePerSecond: rate(sseDoneAt, Math.min(...tallies.map((t) => t.count))),
      forwardPerSecond: receiver === null ? null : rate(forwardDoneAt, receiver.handled),
      forwarded: receiver?.handled ?? 0,
      forwardRepeats: receiver?.repeats ?? 0,
      forwardBadSignatures: receiver?.badSignatures ?? 0,
      endToEndPerSecond: endToEndAt === null ? null : total / ((endToEndAt - t0) / 1000),
      committed,
      ssePerConsumer: tallies.map((t) => t.count),
      sseOutOfOrder: tallies.reduce((sum, t) => sum + t.outOfOrder, 0),
      daemonCpuPercentOfCore: (daemonCpuMs / (wallSeconds * 1000)) * 100,
      benchCpuPercentOfCore: ((benchCpu.user + benchCpu.system) / 1000 / (wallSeconds * 1000)) * 100,
      daemonPeakRssBytes: peakRss,
      wallSeconds,
      complete: endToEndAt !== null,
    };
  } finally {
    for (const t of tallies) t.client.stop();
    db.close();
    await daemon.stop();
    await receiver?.stop();
    await upstream.stop();
  }
}
