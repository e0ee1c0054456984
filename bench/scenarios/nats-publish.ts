// h. JetStream publishing beside local delivery. One burst through one daemon child that both serves an SSE agent
// on this machine and publishes every event into a local nats-server (each publish waiting for its JetStream
// ack): the commit, the local agent and the stream are timed from the first frame sent to the last event in.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { SampleGenerator } from '../../daemon/demo/samples.ts';
import type { DaemonStatus } from '../../shared/status.ts';
import { streamCount } from '../../test/support/jetstream-reader.ts';
import { NatsServer } from '../../test/support/nats-server.ts';
import { sleep } from '../../test/support/wait-for.ts';
import { BenchUpstream } from '../bench-upstream.ts';
import { SseClient } from '../clients/sse-client.ts';
import { DaemonProcess } from '../daemon-process.ts';
import { cpuMs, rssBytes } from '../proc-stats.ts';
import { mb, row, type Scenario } from '../scenario.ts';

const SEND_CHUNK = 500;
const POLL_MS = 20;

export const natsPublish: Scenario = {
  id: 'h',
  title: 'JetStream publishing beside local delivery',
  async run(ctx) {
    const total = ctx.settings.burstEvents;
    const samples = new SampleGenerator({ seed: 70_000 });
    const frames = Array.from({ length: total }, () => {
      const event = samples.next();
      return { id: event.event_id, frame: JSON.stringify(event) };
    });
    const apiKey = `om_bench_${randomBytes(12).toString('hex')}`;
    const dir = ctx.tempDir('h-nats');
    const dataDir = path.join(dir, 'data');
    const nats = await NatsServer.start();
    const upstream = await BenchUpstream.start(apiKey);
    const daemon = await DaemonProcess.start(
      { dataDir, accounts: [{ name: 'bench', provider: 'openmail', url: upstream.url, apiUrl: upstream.restUrl, apiKey }], port: 0, unixSocket: false, forwardTargets: [], natsUrl: nats.url },
      { logFile: path.join(dir, 'daemon.log'), nodeArgs: ctx.childNodeArgs('h-nats') },
    );
    const db = new BetterSqlite3(path.join(dataDir, 'events.db'), { readonly: true, fileMustExist: true });
    const latestSeq = db.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'events'");
    const sinkPosition = async (): Promise<number> => {
      const response = await fetch(`${daemon.url}/v1/status`, { headers: { authorization: `Bearer ${daemon.token}` } });
      return ((await response.json()) as DaemonStatus).sinks[0]?.position ?? 0;
    };
    let sseCount = 0;
    let sseDoneAt: number | null = null;
    const sse = new SseClient({
      endpoint: () => ({ url: daemon.url, socket: null, token: daemon.token }),
      after: 0,
      retryMs: 100,
      onEvent: () => {
        sseCount += 1;
        if (sseCount === total) sseDoneAt = performance.now();
      },
    });
    try {
      await daemon.waitForState('live', 0, 10_000);
      sse.start();
      while (sse.connects === 0 || upstream.subscribers === 0) await sleep(20);

      const cpu0 = cpuMs(daemon.pid);
      let peakRss = rssBytes(daemon.pid);
      let committedAt: number | null = null;
      let publishedAt: number | null = null;
      let published = 0;
      const t0 = performance.now();
      for (let i = 0; i < frames.length; i += SEND_CHUNK) {
        for (const { id, frame } of frames.slice(i, i + SEND_CHUNK)) upstream.broadcast(id, frame);
        await new Promise((resolve) => setImmediate(resolve));
      }
      const deadline = t0 + (ctx.settings.quick ? 60_000 : 180_000);
      while (performance.now() < deadline && (committedAt === null || sseDoneAt === null || publishedAt === null)) {
        peakRss = Math.max(peakRss, rssBytes(daemon.pid));
        if (committedAt === null && (latestSeq.get()?.seq ?? 0) >= total) committedAt = performance.now();
        if (publishedAt === null) {
          published = await sinkPosition();
          if (published >= total) publishedAt = performance.now();
        }
        await sleep(POLL_MS);
      }
      const stoppedAt = performance.now();
      const wallSeconds = (stoppedAt - t0) / 1000;
      const rate = (doneAt: number | null, count: number): number => count / (((doneAt ?? stoppedAt) - t0) / 1000);
      const result = {
        commitPerSecond: rate(committedAt, latestSeq.get()?.seq ?? 0),
        ssePerSecond: rate(sseDoneAt, sseCount),
        publishPerSecond: rate(publishedAt, published),
        inStream: (await streamCount(nats.url, 'MAILBRIDGE')) ?? 0,
        daemonCpuPercentOfCore: ((cpuMs(daemon.pid) - cpu0) / (wallSeconds * 1000)) * 100,
        daemonPeakRssBytes: peakRss,
        complete: publishedAt !== null && sseDoneAt !== null,
      };
      ctx.log(`h. commit ${result.commitPerSecond.toFixed(0)}/s, SSE ${result.ssePerSecond.toFixed(0)}/s, JetStream ${result.publishPerSecond.toFixed(0)}/s`);
      const count = (n: number): string => (n === total ? `${n}/${total}` : `${n}/${total}, incomplete after ${wallSeconds.toFixed(0)} s`);
      const findings = result.inStream === total ? [] : [`the stream holds ${result.inStream} messages for ${total} events`];
      return {
        rows: [
          row('burst', `${total} events`),
          row('committed', `${result.commitPerSecond.toFixed(0)} events/s`),
          row('  local delivery: an SSE agent', `${result.ssePerSecond.toFixed(0)} events/s (${count(sseCount)})`),
          row('  JetStream publish, each acked', `${result.publishPerSecond.toFixed(0)} events/s (${count(published)}; ${result.inStream} in the stream)`),
          row('  daemon CPU / peak RSS', `${result.daemonCpuPercentOfCore.toFixed(0)} % of a core / ${mb(result.daemonPeakRssBytes)}`),
        ],
        data: { events: total, ...result },
        findings,
      };
    } finally {
      sse.stop();
      db.close();
      await daemon.stop();
      await upstream.stop();
      await nats.stop();
    }
  },
};
