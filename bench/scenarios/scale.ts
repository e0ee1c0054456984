// e. Scale. A thousand agents parked on long-polls and a hundred SSE streams on one daemon child: what they cost
// it in memory and idle CPU, and how long one event takes to reach all of them. All agents live in this one
// process, so the slowest figure also holds this process's own handling of the 1,099 answers before it.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { SampleGenerator } from '../../daemon/demo/samples.ts';
import { sleep, waitFor } from '../../test/support/wait-for.ts';
import { BenchUpstream } from '../bench-upstream.ts';
import type { Endpoint } from '../clients/endpoint.ts';
import { LongPollClient } from '../clients/long-poll-client.ts';
import { SseClient } from '../clients/sse-client.ts';
import { DaemonProcess } from '../daemon-process.ts';
import { summarize } from '../percentiles.ts';
import { cpuOver, rssBytes } from '../proc-stats.ts';
import { mb, ms, row, type Scenario } from '../scenario.ts';

const LONG_POLLS = 1_000;
const STREAMS = 100;

export const scale: Scenario = {
  id: 'e',
  title: 'scale',
  async run(ctx) {
    const rounds = ctx.settings.quick ? 5 : 10;
    const apiKey = `om_bench_${randomBytes(12).toString('hex')}`;
    const upstream = await BenchUpstream.start(apiKey);
    const dir = ctx.tempDir('e');
    const daemon = await DaemonProcess.start(
      {
        dataDir: path.join(dir, 'data'),
        accounts: [{ name: 'bench', provider: 'openmail', url: upstream.url, apiUrl: upstream.restUrl, apiKey }],
        port: 0,
        unixSocket: false,
        forwardTargets: [],
      },
      { logFile: path.join(dir, 'daemon.log'), nodeArgs: ctx.childNodeArgs('e') },
    );
    const endpoint: Endpoint = { url: daemon.url, socket: null, token: daemon.token };
    // event_id -> arrival times, one per agent that got it.
    const arrivals = new Map<string, number[]>();
    const arrived = (eventId: string, at: number): void => {
      let list = arrivals.get(eventId);
      if (!list) {
        list = [];
        arrivals.set(eventId, list);
      }
      list.push(at);
    };
    const polls: LongPollClient[] = [];
    const streams: SseClient[] = [];
    try {
      await daemon.waitForState('live', 0, 10_000);
      await waitFor(() => upstream.subscribers === 1, 10_000, 'the daemon to subscribe upstream');
      await sleep(1_000);
      const rssAlone = rssBytes(daemon.pid);

      for (let i = 0; i < LONG_POLLS; i++) {
        const poll = new LongPollClient({
          endpoint: () => endpoint,
          via: 'tcp',
          after: 0,
          waitSeconds: 60,
          limit: 100,
          retryMs: 200,
          onEvents: (events, at) => {
            for (const event of events) arrived(event.event_id, at);
          },
        });
        polls.push(poll);
        poll.start();
      }
      for (let i = 0; i < STREAMS; i++) {
        const stream = new SseClient({ endpoint: () => endpoint, after: 0, retryMs: 200, onEvent: (_seq, data, at) => arrived(eventIdOf(data), at) });
        streams.push(stream);
        stream.start();
      }
      await waitFor(() => streams.every((s) => s.connects > 0), 20_000, 'every SSE stream');
      // Long-polls give no sign of being parked; a settled second after the streams is plenty on loopback.
      await sleep(2_000);
      const rssWithAgents = rssBytes(daemon.pid);
      const idle = await cpuOver(daemon.pid, ctx.settings.quick ? 3_000 : 5_000);

      const samples = new SampleGenerator({ seed: 1_100 });
      const latencies: number[] = [];
      const allIn: number[] = [];
      for (let round = 0; round < rounds; round++) {
        const event = samples.next();
        const frame = JSON.stringify(event);
        const sentAt = performance.now();
        upstream.broadcast(event.event_id, frame);
        await waitFor(() => (arrivals.get(event.event_id)?.length ?? 0) >= LONG_POLLS + STREAMS, 20_000, `round ${round} to reach every agent`);
        const times = arrivals.get(event.event_id)!.map((at) => at - sentAt);
        latencies.push(...times);
        allIn.push(Math.max(...times));
        // Long-polls answered by this event come back for the next one.
        await sleep(500);
      }
      const errors = polls.reduce((sum, p) => sum + p.errors, 0) + streams.reduce((sum, s) => sum + s.errors, 0);
      const latency = summarize(latencies);
      const everyone = summarize(allIn);
      const rssAfter = rssBytes(daemon.pid);
      ctx.log(`e. RSS ${mb(rssWithAgents)}, idle CPU ${idle.percentOfCore.toFixed(2)} %, p99 ${ms(latency.p99)}`);
      return {
        rows: [
          row(`daemon RSS: alone / with ${LONG_POLLS} long-polls + ${STREAMS} streams`, `${mb(rssAlone)} / ${mb(rssWithAgents)} (${((rssWithAgents - rssAlone) / (LONG_POLLS + STREAMS) / 1024).toFixed(1)} KB per agent)`),
          row('daemon idle CPU with all agents waiting', `${idle.percentOfCore.toFixed(2)} % of a core`),
          row(`one event to all ${LONG_POLLS + STREAMS} agents: p50 / p99 / max`, `${ms(latency.p50)} / ${ms(latency.p99)} / ${ms(latency.max)}`),
          row('until the last agent has it (per event): p50 / max', `${ms(everyone.p50)} / ${ms(everyone.max)}`),
          row('agent errors', `${errors}`, '0', errors === 0),
        ],
        data: { longPolls: LONG_POLLS, streams: STREAMS, rounds, rssAloneBytes: rssAlone, rssWithAgentsBytes: rssWithAgents, rssAfterBytes: rssAfter, idleCpu: idle, latency, allIn: everyone, errors },
        findings: [],
      };
    } finally {
      for (const stream of streams) stream.stop();
      await Promise.all(polls.map((poll) => poll.stop()));
      await daemon.stop();
      await upstream.stop();
    }
  },
};

function eventIdOf(data: string): string {
  return (JSON.parse(data) as { event_id: string }).event_id;
}
