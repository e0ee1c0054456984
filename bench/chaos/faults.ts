// The faults chaos injects, each one thing that happens to real relays: the network vanishing, a socket left
// half-open, the provider going away or restarting or misbehaving, mail the socket never pushes or pushes late,
// a replay cursor the provider forgot, its REST API failing, its attachment links expiring, the daemon killed or
// suspended, the webhook target down, slow or failing, and agents losing their connection. Some last a while; `heal` ends them all.
import type { DemoProvider } from '../../daemon/demo/server.ts';
import type { Random } from '../../daemon/demo/samples.ts';
import type { LocalWsClient } from '../clients/local-ws-client.ts';
import type { SseClient } from '../clients/sse-client.ts';
import type { WebhookReceiver } from '../clients/webhook-receiver.ts';
import type { RestartableDaemon } from './restartable-daemon.ts';

export interface World {
  provider: DemoProvider;
  daemon: RestartableDaemon;
  receiver: WebhookReceiver;
  sse: SseClient;
  ws: LocalWsClient;
  random: Random;
  /** A provider restart (or its REST API refusing connections) under way: another must wait for it. */
  providerRestarting: boolean;
}

export interface Fault {
  name: string;
  weight: number;
  /** Faults that make a webhook delivery fail: the engine retries them 30 s later, so they are spaced out. */
  failsDeliveries?: boolean;
  /** False when the fault cannot run now (a restart of the same thing is still under way). */
  ready?(world: World): boolean;
  inject(world: World, tasks: Set<Promise<unknown>>): void;
}

/** Windows of misbehaviour last 0.5 to 3 s. */
function windowMs(world: World): number {
  return 500 + Math.floor(world.random() * 2_500);
}

/** Runs `end` after the window, tracked so the run can wait for every window to close. */
function during(world: World, tasks: Set<Promise<unknown>>, end: () => unknown): void {
  const task: Promise<unknown> = new Promise((resolve) => setTimeout(resolve, windowMs(world)))
    .then(end)
    .finally(() => tasks.delete(task));
  tasks.add(task);
}

function track(tasks: Set<Promise<unknown>>, work: Promise<unknown>): void {
  const task: Promise<unknown> = work.finally(() => tasks.delete(task));
  tasks.add(task);
}

export const FAULTS: readonly Fault[] = [
  { name: 'drop', weight: 10, inject: (w) => w.provider.drop() },
  { name: 'half-open', weight: 10, inject: (w) => w.provider.halfOpen() },
  { name: 'close 1001', weight: 8, inject: (w) => w.provider.close(1001, 'going away') },
  // The daemon waits at least 10 s after a 4029, so mail piles up upstream and comes back as a paged replay.
  { name: 'close 4029', weight: 3, inject: (w) => w.provider.close(4029, 'Rate limit exceeded') },
  {
    name: 'provider restart',
    weight: 6,
    ready: (w) => !w.providerRestarting,
    inject: (w, tasks) => {
      w.providerRestarting = true;
      track(tasks, w.provider.restart(Math.floor(w.random() * 1_500)).finally(() => (w.providerRestarting = false)));
    },
  },
  {
    name: 'duplicates',
    weight: 8,
    inject: (w, tasks) => {
      w.provider.setDuplicates(true);
      during(w, tasks, () => w.provider.setDuplicates(false));
    },
  },
  {
    name: 'out of order',
    weight: 8,
    inject: (w, tasks) => {
      w.provider.setOutOfOrder(true);
      during(w, tasks, () => w.provider.setOutOfOrder(false));
    },
  },
  {
    name: 'daemon SIGKILL + restart',
    weight: 10,
    ready: (w) => !w.daemon.busy,
    inject: (w, tasks) => track(tasks, w.daemon.killAndRestart(Math.floor(w.random() * 1_000))),
  },
  {
    name: 'daemon suspended',
    weight: 4,
    ready: (w) => !w.daemon.busy,
    inject: (w, tasks) => track(tasks, w.daemon.pause(500 + Math.floor(w.random() * 2_500))),
  },
  {
    name: 'webhook target down',
    weight: 3,
    failsDeliveries: true,
    inject: (w, tasks) => {
      track(tasks, w.receiver.down());
      during(w, tasks, () => w.receiver.up());
    },
  },
  {
    name: 'webhook target answers 500',
    weight: 3,
    failsDeliveries: true,
    inject: (w, tasks) => {
      w.receiver.setMode({ kind: 'fail' });
      during(w, tasks, () => w.receiver.setMode({ kind: 'ok' }));
    },
  },
  {
    name: 'webhook target slow',
    weight: 4,
    inject: (w, tasks) => {
      w.receiver.setMode({ kind: 'slow', delayMs: 200 + Math.floor(w.random() * 2_000) });
      during(w, tasks, () => w.receiver.setMode({ kind: 'ok' }));
    },
  },
  // What catch-up over REST is for.
  {
    name: 'push off, socket down',
    weight: 5,
    inject: (w, tasks) => {
      w.provider.setPushOff(true);
      w.provider.drop();
      during(w, tasks, () => {
        w.provider.setPushOff(false);
        // The socket comes back: a provider without replay is caught up over REST on the reconnect; OpenMail's
        // replay has none of this mail, which only catch-up's interval or a wake finds.
        w.provider.drop();
      });
    },
  },
  {
    name: 'late duplicate pushes',
    weight: 4,
    ready: (w) => w.provider.heldBack > 0,
    inject: (w) => w.provider.pushLate(1 + Math.floor(w.random() * w.provider.heldBack)),
  },
  {
    name: 'unknown cursor',
    weight: 3,
    inject: (w) => {
      w.provider.forgetReplayLog();
      w.provider.drop();
    },
  },
  {
    name: 'REST answers 500',
    weight: 3,
    inject: (w, tasks) => {
      void w.provider.setRestDown('error');
      during(w, tasks, () => w.provider.setRestDown(null));
    },
  },
  {
    name: 'REST refuses connections',
    weight: 2,
    ready: (w) => !w.providerRestarting,
    inject: (w, tasks) => {
      w.providerRestarting = true;
      track(tasks, w.provider.setRestDown('refused'));
      during(w, tasks, async () => {
        await w.provider.setRestDown(null);
        w.providerRestarting = false;
      });
    },
  },
  {
    name: 'REST throttled (429)',
    weight: 2,
    inject: (w) => w.provider.throttleRest(1 + Math.floor(w.random() * 3)),
  },
  {
    name: 'REST slow pages',
    weight: 2,
    inject: (w, tasks) => {
      w.provider.setRestPageDelay(200 + Math.floor(w.random() * 1_500));
      during(w, tasks, () => w.provider.setRestPageDelay(0));
    },
  },
  // What keeping attachments is for: every signed link handed out so far dies at once.
  { name: 'attachment links expiring', weight: 4, inject: (w) => w.provider.expireAttachmentLinks() },
  {
    name: 'agents reconnect',
    weight: 6,
    inject: (w) => {
      w.sse.drop();
      w.ws.drop();
    },
  },
];

export function pickFault(world: World, eligible: (fault: Fault) => boolean): Fault {
  const candidates = FAULTS.filter((fault) => (fault.ready?.(world) ?? true) && eligible(fault));
  const total = candidates.reduce((sum, fault) => sum + fault.weight, 0);
  let roll = world.random() * total;
  for (const fault of candidates) {
    roll -= fault.weight;
    if (roll < 0) return fault;
  }
  return candidates.at(-1)!;
}

/** Ends every misbehaviour at once, for the final drain. */
export async function heal(world: World): Promise<void> {
  world.provider.setDuplicates(false);
  world.provider.setOutOfOrder(false);
  world.provider.setPushOff(false);
  await world.provider.setRestDown(null);
  world.provider.throttleRest(0);
  world.provider.setRestPageDelay(0);
  world.receiver.setMode({ kind: 'ok' });
  await world.receiver.up();
  await world.daemon.settled();
}
