// c. Wake to live. The daemon child is suspended (SIGSTOP) as a sleeping laptop is, while the upstream keeps its
// socket open but silent: the peer's close never reaches a sleeping machine, so on waking the old socket looks
// alive. Mail arrives during the sleep. After SIGCONT we time how long until the daemon is live again upstream
// and until an agent's long-poll holds every event sent during the sleep (more than one replay page of them).
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { DemoProvider } from '../../daemon/demo/server.ts';
import { sleep, waitFor } from '../../test/support/wait-for.ts';
import { LongPollClient } from '../clients/long-poll-client.ts';
import { DaemonProcess } from '../daemon-process.ts';
import { row, type Scenario } from '../scenario.ts';

const GOAL_MS = 1_000;
/** More than OpenMail's 100-event replay cap, so catching up needs the daemon to page. */
const EVENTS_DURING_SLEEP = 150;

export const wakeToLive: Scenario = {
  id: 'c',
  title: 'wake to live',
  async run(ctx) {
    const sleepMs = ctx.settings.sleepSeconds * 1000;
    const apiKey = `om_bench_${randomBytes(12).toString('hex')}`;
    // The provider's own reaper would close the silent socket after 40 s; a sleeping laptop never hears that close.
    const provider = await DemoProvider.start({ apiKey, seed: 3, pingIntervalMs: 10 * 60_000, logLimit: 100_000 });
    const dir = ctx.tempDir('c');
    const daemon = await DaemonProcess.start(
      {
        dataDir: path.join(dir, 'data'),
        accounts: [{ name: 'bench', provider: 'openmail', url: provider.url, apiUrl: provider.restUrl, apiKey }],
        port: 0,
        unixSocket: false,
        forwardTargets: [],
      },
      { logFile: path.join(dir, 'daemon.log'), nodeArgs: ctx.childNodeArgs('c') },
    );
    const received = new Map<string, number>();
    const agent = new LongPollClient({
      endpoint: () => ({ url: daemon.url, socket: null, token: daemon.token }),
      via: 'tcp',
      after: 0,
      waitSeconds: 60,
      limit: 1000,
      retryMs: 50,
      onEvents: (events, at) => {
        for (const event of events) if (!received.has(event.event_id)) received.set(event.event_id, at);
      },
    });
    try {
      await daemon.waitForState('live', 0, 10_000);
      agent.start();
      const before = provider.emit();
      await waitFor(() => received.has(before.event_id), 5_000, 'the first event');

      daemon.signal('SIGSTOP');
      provider.halfOpen();
      const sleptAt = performance.now();
      const during: string[] = [];
      // Spread over the sleep, so replay carries mail of different ages.
      for (let i = 0; i < EVENTS_DURING_SLEEP; i++) {
        await sleep(Math.max(0, sleptAt + ((i + 1) * sleepMs) / (EVENTS_DURING_SLEEP + 1) - performance.now()));
        during.push(provider.emit().event_id);
      }
      await sleep(Math.max(0, sleptAt + sleepMs - performance.now()));
      const subscribesBefore = provider.subscribes.length;
      const wokeAt = performance.now();
      const wokeAtWall = Date.now();
      daemon.signal('SIGCONT');

      await waitFor(() => during.every((id) => received.has(id)), 30_000, 'the agent to catch up');
      const caughtUp = Math.max(...during.map((id) => received.get(id)!)) - wokeAt;
      // The provider answers a subscribe at once, so its arrival is when the daemon went live again.
      const resubscribes = provider.subscribes.length - subscribesBefore;
      const live = provider.subscribes[subscribesBefore]!.at - wokeAtWall;
      ctx.log(`c. live after ${live} ms, caught up after ${caughtUp.toFixed(0)} ms`);
      return {
        rows: [
          row(`suspended ${ctx.settings.sleepSeconds} s, ${EVENTS_DURING_SLEEP} events sent meanwhile`, `${resubscribes} subscribe(s) to catch up (replay cap 100)`),
          row('SIGCONT to live upstream', `${live} ms`),
          row('SIGCONT to agent caught up (long-poll)', `${caughtUp.toFixed(0)} ms`, `<= ${GOAL_MS} ms`, caughtUp <= GOAL_MS),
        ],
        data: { sleepSeconds: ctx.settings.sleepSeconds, eventsDuringSleep: EVENTS_DURING_SLEEP, liveMs: live, caughtUpMs: caughtUp, resubscribes },
        findings: [],
      };
    } finally {
      await agent.stop();
      await daemon.stop();
      await provider.stop();
    }
  },
};
