// Found by chaos: a daemon that comes back after missing more than one replay page (OpenMail replays at most
// 100 events per subscribe) must page through all of them even while new mail keeps arriving live.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEngine } from '../../daemon/engine.ts';
import { DemoProvider } from '../../daemon/demo/server.ts';
import { waitFor } from '../support/wait-for.ts';
import { testDaemonOptions } from '../support/daemon-options.ts';

const KEY = 'om_replay_paging_key';
const cleanup: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

describe('catching up past the replay cap', () => {
  it('stores every missed event when live mail arrives while the daemon pages through the backlog', async () => {
    const provider = await DemoProvider.start({ apiKey: KEY, seed: 5 });
    cleanup.push(() => provider.stop());
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-paging-'));
    cleanup.push(async () => fs.rmSync(root, { recursive: true, force: true }));
    const options = testDaemonOptions(path.join(root, 'data'), {
      accounts: [{ name: 'work', provider: 'openmail', url: provider.url, apiUrl: provider.restUrl, apiKey: KEY, inboxIds: [], eventTypes: [] }],
      port: null,
    });
    let { daemon } = await startEngine(options);
    await waitFor(() => daemon.upstreamStatus()[0]?.state === 'live', 5_000, 'live');
    const first = provider.emit();
    await waitFor(() => daemon.events.seqOf(first.event_id) !== null, 5_000, 'the first event');
    await daemon.stop();

    const subscribesBefore = provider.subscribes.length;
    provider.emitMany(250);
    const live = setInterval(() => provider.emit(), 5);
    cleanup.push(async () => clearInterval(live));
    ({ daemon } = await startEngine(options));
    cleanup.push(() => daemon.stop());
    // Live mail keeps arriving until the daemon has asked for the third page of the backlog.
    await waitFor(() => provider.subscribes.length >= subscribesBefore + 3, 10_000, 'the third replay page');
    clearInterval(live);
    // Each page was asked for with a cursor, each further on than the last.
    const pages = provider.subscribes.slice(subscribesBefore, subscribesBefore + 3).map((subscribe) => subscribe.lastEventId);
    expect(pages).not.toContain(null);
    expect(new Set(pages).size).toBe(3);

    const emitted = provider.emitted.map((event) => event.event_id);
    expect(emitted.length).toBeGreaterThan(251);
    await waitFor(() => emitted.every((id) => daemon.events.seqOf(id) !== null), 10_000, 'every emitted event to be stored');
    await waitFor(() => daemon.upstreamStatus()[0]?.possibleGap === null, 5_000, 'the paging gap to close');
    const stored = daemon.events.after(0, 100_000).map((event) => event.event_id);
    expect(stored.toSorted()).toEqual(emitted.toSorted());
  });
});
