// A SIGKILL in the middle of an attachment download: the engine runs as a child process, the demo's signed link
// sends part of the file and then holds the rest, and the engine is killed while it waits. Nothing half-written is
// kept (only a temp file is left); started again on the same data dir, the engine removes it, fetches the file anew
// and serves it whole.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RestartableDaemon } from '../../../bench/chaos/restartable-daemon.ts';
import { DemoProvider } from '../../../daemon/demo/server.ts';
import type { EventsResponse } from '../../../shared/local-api.ts';
import type { DaemonStatus } from '../../../shared/status.ts';
import { eventually, waitFor } from '../../support/wait-for.ts';
import { INBOX, keptFiles, testFile } from './engine-with-files.ts';

const KEY = 'om_attachment_kill_0123456789';
const REPORT = testFile('quarterly-report.pdf', 'application/pdf', `QUARTERLY REPORT\n${'Revenue grew in every region.\n'.repeat(40)}`);
const cleanups: (() => Promise<unknown> | unknown)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempFiles(dataDir: string): string[] {
  const dir = path.join(dataDir, 'attachments');
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((name) => name.startsWith('.tmp-')) : [];
}

describe('a SIGKILL during an attachment download', () => {
  it('leaves no partial file kept, and the next start fetches it whole', { timeout: 60_000 }, async () => {
    const demo = await DemoProvider.start({ apiKey: KEY, pingIntervalMs: 60_000 });
    cleanups.push(() => demo.stop());
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-attachment-kill-'));
    cleanups.push(() => fs.rmSync(workDir, { recursive: true, force: true }));
    const dataDir = path.join(workDir, 'data');
    const daemon = new RestartableDaemon(
      {
        dataDir,
        accounts: [{ name: 'acct', provider: 'openmail', url: demo.url, apiUrl: demo.restUrl, apiKey: KEY }],
        port: 0,
        unixSocket: false,
        forwardTargets: [],
      },
      workDir,
    );
    cleanups.push(() => daemon.stop());
    await daemon.start();
    await daemon.current!.waitForState('live', 0, 10_000);
    const api = async <T>(route: string): Promise<T> => {
      const endpoint = daemon.endpoint()!;
      return (await (await fetch(`${endpoint.url}${route}`, { headers: { authorization: `Bearer ${endpoint.token}` } })).json()) as T;
    };

    demo.stallAttachmentDownloads(200);
    const sent = demo.emit({
      inbox_id: INBOX,
      message: { id: 'msg_kill', from: 'finance@vendor.example', to: 'agent@demo.openmail.sh', subject: 'Report', attachments: [REPORT.attachment] },
    });
    await waitFor(() => tempFiles(dataDir).length === 1, 15_000, 'the download to be under way');
    await waitFor(() => fs.statSync(path.join(dataDir, 'attachments', tempFiles(dataDir)[0]!)).size === 200, 5_000, 'the first bytes written');
    await daemon.current!.kill();

    // Killed mid-file: the part is a temp file, never a kept one.
    expect(keptFiles(dataDir)).toEqual([]);
    expect(tempFiles(dataDir)).toHaveLength(1);

    demo.stallAttachmentDownloads(null);
    await daemon.start();
    await daemon.current!.waitForState('live', 0, 10_000);
    await eventually(async () => (await api<DaemonStatus>('/v1/status')).attachments?.kept === 1, 15_000, 'the file kept after the restart');
    expect(tempFiles(dataDir)).toEqual([]);
    expect(keptFiles(dataDir)).toHaveLength(1);

    const { events } = await api<EventsResponse>('/v1/events?after=0');
    const event = events.find((each) => each.event_id === sent.event_id)!;
    const endpoint = daemon.endpoint()!;
    const served = await fetch(event.message!.attachments![0]!.local_url!, { headers: { authorization: `Bearer ${endpoint.token}` } });
    expect(served.status).toBe(200);
    expect(Buffer.from(await served.arrayBuffer()).equals(REPORT.bytes)).toBe(true);
  });
});
