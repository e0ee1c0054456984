// A full disk under the attachment store: its directory is a small tmpfs, filled before mail with a file arrives. The
// mail itself is stored and delivered; the file is not kept, status says why, a request for it is a 507 that says
// why, nothing half-written is left, and once space is back the file is kept without a restart. Mounting needs root
// (as on CI); elsewhere it is skipped.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DemoProvider } from '../../../daemon/demo/server.ts';
import { startEngine, type Engine } from '../../../daemon/engine.ts';
import type { EventsResponse } from '../../../shared/local-api.ts';
import { testDaemonOptions } from '../../support/daemon-options.ts';
import { canMountTmpfs, fillDisk, mountTmpfs, SKIPPED_WITHOUT_ROOT, unmountTmpfs } from '../../support/small-disk.ts';
import { eventually, waitFor } from '../../support/wait-for.ts';
import { INBOX, keptFiles, testFile } from './engine-with-files.ts';

const KEY = 'om_attachment_full_disk_1a2b3c';
const TMPFS_BYTES = 64 * 1024;
const CONTRACT = testFile('contract.pdf', 'application/pdf', `CONTRACT\n${'Clause. '.repeat(200)}`);

let root: string;
let dataDir: string;
let store: string;
let demo: DemoProvider | null = null;
let engine: Engine | null = null;

beforeEach(() => {
  if (!canMountTmpfs) return;
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-files-full-'));
  dataDir = path.join(root, 'data');
  store = path.join(dataDir, 'attachments');
  fs.mkdirSync(store, { recursive: true });
  mountTmpfs(store, TMPFS_BYTES);
});

afterEach(async () => {
  if (!canMountTmpfs) return;
  await engine?.daemon.stop();
  engine = null;
  await demo?.stop();
  demo = null;
  unmountTmpfs(store);
  fs.rmSync(root, { recursive: true, force: true });
});

describe('a full disk under the attachment store', () => {
  const title = 'keeps the engine running and saying why, and keeps the file once space is back';
  it.skipIf(!canMountTmpfs)(canMountTmpfs ? title : `${title} ${SKIPPED_WITHOUT_ROOT}`, { timeout: 60_000 }, async () => {
    demo = await DemoProvider.start({ apiKey: KEY });
    engine = await startEngine(
      testDaemonOptions(dataDir, {
        accounts: [{ name: 'work', provider: 'openmail', url: demo.url, apiUrl: demo.restUrl, inboxIds: [], eventTypes: [], apiKey: KEY }],
        attachmentPolicy: { retry: { baseMs: 200, capMs: 400 } },
      }),
    );
    const { daemon } = engine;
    await waitFor(() => daemon.status().accounts[0]?.state === 'live', 10_000, 'a live account');
    const token = fs.readFileSync(daemon.endpoint!.tokenFile, 'utf8').trim();
    const get = (target: string) => fetch(target.startsWith('http') ? target : `${daemon.endpoint!.url}${target}`, { headers: { authorization: `Bearer ${token}` } });

    const filler = path.join(store, 'filler');
    fillDisk(filler);
    const sent = demo.emit({
      inbox_id: INBOX,
      message: { id: 'msg_full', from: 'legal@vendor.example', to: 'agent@demo.openmail.sh', subject: 'Contract', attachments: [CONTRACT.attachment] },
    });

    // The mail is stored and delivered; only its file waits.
    const event = await eventually(
      async () => ((await (await get('/v1/events?after=0')).json()) as EventsResponse).events.find((each) => each.event_id === sent.event_id),
      10_000,
      'the mail delivered',
    );
    await waitFor(() => /disk is full/.test(daemon.status().attachments?.lastError?.message ?? ''), 10_000, 'status to say the disk is full');
    expect(daemon.status().attachments).toMatchObject({ kept: 0, pending: 1 });
    expect(fs.readdirSync(store)).toEqual(['filler']);

    const refused = await get(event.message!.attachments![0]!.local_url!);
    expect(refused.status).toBe(507);
    expect(await refused.json()).toEqual({
      error: { code: 'insufficient_storage', message: '"contract.pdf" could not be written to the attachment store: the disk is full' },
    });
    expect((await get('/v1/status')).status).toBe(200);

    fs.rmSync(filler);
    await waitFor(() => daemon.status().attachments?.kept === 1, 15_000, 'the file kept once space is back');
    expect(keptFiles(dataDir)).toHaveLength(1);
    expect(daemon.status().attachments?.lastError).toBeNull();
    const served = await get(event.message!.attachments![0]!.local_url!);
    expect(Buffer.from(await served.arrayBuffer()).equals(CONTRACT.bytes)).toBe(true);
  });
});
