// f. Footprint. The real headless command (`bin/mailbridge.js run`) with one account, the key in
// MAILBRIDGE_API_KEY as a server would pass it: time from spawn to live upstream, then resident memory and CPU
// while it sits idle with its socket, heartbeat, wake detector and local endpoint.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DemoProvider } from '../../daemon/demo/server.ts';
import { sleep, waitFor } from '../../test/support/wait-for.ts';
import { cpuMs, rssBytes } from '../proc-stats.ts';
import { mb, row, type Scenario } from '../scenario.ts';

const GOAL_IDLE_RSS_BYTES = 80 * 1024 * 1024;
const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'mailbridge.js');

export const footprint: Scenario = {
  id: 'f',
  title: 'footprint',
  async run(ctx) {
    const apiKey = `om_bench_${randomBytes(12).toString('hex')}`;
    const provider = await DemoProvider.start({ apiKey, seed: 6 });
    const dir = ctx.tempDir('f');
    const log = fs.openSync(path.join(dir, 'mailbridge.log'), 'a');
    const env: NodeJS.ProcessEnv = { ...process.env, MAILBRIDGE_API_KEY: apiKey };
    delete env.MAILBRIDGE_DATA_DIR;
    const startedAt = Date.now();
    const child = spawn(process.execPath, [...ctx.childNodeArgs('f'), CLI, 'run', '--url', provider.url, '--api-url', provider.restUrl, '--port', '0', '--data-dir', path.join(dir, 'data')], {
      stdio: ['ignore', log, log],
      env,
    });
    fs.closeSync(log);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      await waitFor(() => provider.subscribes.length > 0 || child.exitCode !== null, 20_000, 'mailbridge run to subscribe');
      if (child.exitCode !== null) throw new Error(`mailbridge run exited with ${child.exitCode}; see its log`);
      const coldStart = provider.subscribes[0]!.at - startedAt;
      const pid = child.pid!;
      const rssAtLive = rssBytes(pid);
      const idleMs = ctx.settings.idleSeconds * 1000;
      const cpu0 = cpuMs(pid);
      const t0 = performance.now();
      let rssMax = rssAtLive;
      // The second half alone shows the steady state, after start-up's lazy compilation and first collections.
      let half: { cpu: number; at: number } | null = null;
      while (performance.now() - t0 < idleMs) {
        await sleep(Math.min(1_000, idleMs - (performance.now() - t0)));
        rssMax = Math.max(rssMax, rssBytes(pid));
        if (half === null && performance.now() - t0 >= idleMs / 2) half = { cpu: cpuMs(pid), at: performance.now() };
      }
      const cpuEnd = cpuMs(pid);
      const end = performance.now();
      const cpu = ((cpuEnd - cpu0) / (end - t0)) * 100;
      const cpuSecondHalf = half === null ? cpu : ((cpuEnd - half.cpu) / (end - half.at)) * 100;
      const rssEnd = rssBytes(pid);
      ctx.log(`f. live ${coldStart} ms after spawn, RSS ${mb(rssEnd)}, idle CPU ${cpu.toFixed(2)} %`);
      return {
        rows: [
          row('cold start (spawn to live upstream)', `${coldStart} ms`),
          row(
            `RSS at live / after ${ctx.settings.idleSeconds} s idle / max`,
            `${mb(rssAtLive)} / ${mb(rssEnd)} / ${mb(rssMax)}`,
            `idle <= ${mb(GOAL_IDLE_RSS_BYTES)}`,
            rssEnd <= GOAL_IDLE_RSS_BYTES,
          ),
          row(`idle CPU over ${ctx.settings.idleSeconds} s / its second half`, `${cpu.toFixed(2)} % / ${cpuSecondHalf.toFixed(2)} % of a core`),
        ],
        data: { coldStartMs: coldStart, rssAtLiveBytes: rssAtLive, rssEndBytes: rssEnd, rssMaxBytes: rssMax, idleCpuPercentOfCore: cpu, idleCpuSecondHalfPercentOfCore: cpuSecondHalf, idleSeconds: ctx.settings.idleSeconds },
        findings: [],
      };
    } finally {
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(force);
      await provider.stop();
    }
  },
};
