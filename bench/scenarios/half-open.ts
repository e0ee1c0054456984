// d. Half-open detection with no wake signal. The upstream stops reading and writing on the daemon's socket but
// never closes it (a NAT entry that expired, Wi-Fi that vanished mid-flight). With the default heartbeat the
// daemon must notice on its own; the first sign outside it is its new subscribe upstream.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { DemoProvider } from '../../daemon/demo/server.ts';
import { DEFAULT_BACKOFF } from '../../daemon/upstream/backoff.ts';
import { DEFAULT_HEARTBEAT } from '../../daemon/upstream/heartbeat.ts';
import { sleep, waitFor } from '../../test/support/wait-for.ts';
import { DaemonProcess } from '../daemon-process.ts';
import { row, type Scenario } from '../scenario.ts';

const GOAL_MS = 15_000;

export const halfOpen: Scenario = {
  id: 'd',
  title: 'half-open detection',
  async run(ctx) {
    const apiKey = `om_bench_${randomBytes(12).toString('hex')}`;
    // No reaping by the provider: the daemon's heartbeat alone has to find out.
    const provider = await DemoProvider.start({ apiKey, seed: 4, pingIntervalMs: 10 * 60_000 });
    const dir = ctx.tempDir('d');
    const daemon = await DaemonProcess.start(
      {
        dataDir: path.join(dir, 'data'),
        accounts: [{ name: 'bench', provider: 'openmail', url: provider.url, apiUrl: provider.restUrl, apiKey }],
        port: 0,
        unixSocket: false,
        forwardTargets: [],
      },
      { logFile: path.join(dir, 'daemon.log'), nodeArgs: ctx.childNodeArgs('d') },
    );
    try {
      await daemon.waitForState('live', 0, 10_000);
      // Once stable, a lost connection is retried at once, so the new subscribe dates the detection to a few ms.
      await sleep(DEFAULT_BACKOFF.stableMs + 500);
      const subscribes = provider.subscribes.length;
      const at = Date.now();
      provider.halfOpen();
      const worstCase = DEFAULT_HEARTBEAT.quietMs + DEFAULT_HEARTBEAT.timeoutMs;
      await waitFor(() => provider.subscribes.length > subscribes, worstCase + 10_000, 'the daemon to reconnect');
      const detected = provider.subscribes[subscribes]!.at - at;
      ctx.log(`d. reconnected ${detected} ms after the socket went half-open`);
      return {
        rows: [
          row('heartbeat (defaults)', `ping after ${DEFAULT_HEARTBEAT.quietMs / 1000} s without a frame, dead after ${DEFAULT_HEARTBEAT.timeoutMs / 1000} s more: worst case ${worstCase / 1000} s`),
          row('half-open to detected and resubscribed', `${(detected / 1000).toFixed(1)} s`, `<= ${GOAL_MS / 1000} s`, detected <= GOAL_MS),
        ],
        data: { heartbeat: DEFAULT_HEARTBEAT, detectedMs: detected, worstCaseMs: worstCase },
        findings: [],
      };
    } finally {
      await daemon.stop();
      await provider.stop();
    }
  },
};
