// A SIGKILL in the middle of a catch-up: the engine runs as a child process against a myagentmail-flavoured
// demo whose REST pages are slow, and is killed once part of the mail is committed and the rest is not. Started
// again on the same data dir, it lists again and commits the rest; an agent long-polling throughout gets every
// mail once.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LongPollClient } from '../../../bench/clients/long-poll-client.ts';
import { RestartableDaemon } from '../../../bench/chaos/restartable-daemon.ts';
import { DemoProvider } from '../../../daemon/demo/server.ts';
import { getAdapter } from '../../../daemon/providers/index.ts';
import type { DaemonStatus } from '../../../shared/status.ts';
import { waitFor } from '../../support/wait-for.ts';

const KEY = 'sigkill_key_0123456789';
const MAILS = 400;
const cleanups: (() => Promise<unknown> | unknown)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('a SIGKILL during catch-up', () => {
  it('loses and duplicates nothing: the next start lists again and commits the rest', { timeout: 60_000 }, async () => {
    const demo = await DemoProvider.start({ apiKey: KEY, flavour: 'myagentmail', pingIntervalMs: 60_000 });
    cleanups.push(() => demo.stop());
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-catchup-kill-'));
    cleanups.push(() => fs.rmSync(workDir, { recursive: true, force: true }));
    const daemon = new RestartableDaemon(
      {
        dataDir: path.join(workDir, 'data'),
        accounts: [{ name: 'acct', provider: 'myagentmail', url: demo.url, apiUrl: demo.restUrl, apiKey: KEY }],
        port: 0,
        unixSocket: false,
        forwardTargets: [],
        backoff: { baseMs: 50, capMs: 200, stableMs: 300 },
        // Commits every page or so, so that a kill falls between commits.
        catchUp: { commitEvery: 40, backoff: { baseMs: 100, capMs: 400, stableMs: 0 } },
      },
      workDir,
    );
    cleanups.push(() => daemon.stop());
    await daemon.start();
    await daemon.current!.waitForState('live', 0, 10_000);

    const adapter = getAdapter('myagentmail');
    const seen = new Map<string, number>();
    const agent = new LongPollClient({
      endpoint: () => daemon.endpoint(),
      via: 'tcp',
      after: 0,
      waitSeconds: 1,
      limit: 500,
      retryMs: 50,
      onEvents: (events) => {
        for (const event of events) {
          const key = adapter.messageKey(event)!;
          seen.set(key, (seen.get(key) ?? 0) + 1);
        }
      },
    });
    agent.start();
    cleanups.push(() => agent.stop());

    // Mail the socket will never push, then a reconnect: catch-up lists it, a slow page at a time.
    demo.setPushOff(true);
    demo.emitMany(MAILS);
    demo.setRestPageDelay(150);
    demo.drop();

    const status = async (): Promise<DaemonStatus | null> => {
      const endpoint = daemon.endpoint();
      if (endpoint === null) return null;
      const response = await fetch(`${endpoint.url}/v1/status`, { headers: { authorization: `Bearer ${endpoint.token}` } }).catch(() => null);
      return response?.ok ? ((await response.json()) as DaemonStatus) : null;
    };
    let partly = 0;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const now = await status();
      const stored = now?.store.events ?? 0;
      if (now?.accounts[0]?.catchUp?.state === 'running' && stored > 0 && stored < MAILS) {
        partly = stored;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(partly).toBeGreaterThan(0);
    await daemon.killAndRestart(100);

    await waitFor(() => seen.size === MAILS, 30_000, `all ${MAILS} mails at the agent (has ${seen.size})`);
    const after = await status();
    expect(after?.store.events).toBe(MAILS);
    expect(after?.accounts[0]?.catchUp).toMatchObject({ gap: null, lastError: null });
    expect([...seen.values()].every((count) => count === 1)).toBe(true);
  });
});
