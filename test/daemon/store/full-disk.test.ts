// A full disk under a running engine: a real `mailbridge run` whose data dir is a small tmpfs, filled while mail
// arrives. The engine keeps running and says why it cannot store, nothing committed is lost, and once space is
// back it stores everything without being restarted. Mounting needs root (as on CI); elsewhere it is skipped.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventsResponse } from '../../../shared/local-api.ts';
import type { DaemonStatus } from '../../../shared/status.ts';
import { DemoProvider } from '../../../daemon/demo/server.ts';
import { canMountTmpfs, fillDisk, mountTmpfs, SKIPPED_WITHOUT_ROOT, unmountTmpfs } from '../../support/small-disk.ts';
import { waitFor } from '../../support/wait-for.ts';

const BIN = fileURLToPath(new URL('../../../bin/mailbridge.js', import.meta.url));
const KEY = 'om_full_disk_test_key_1a2b3c4d';
const TMPFS_BYTES = 8 * 1024 * 1024;

let root: string;
let dataDir: string;
let demo: DemoProvider | null = null;
let engine: ChildProcess | null = null;
let output = '';

function endpoint(): { url: string; token: string } | null {
  try {
    const info = JSON.parse(fs.readFileSync(path.join(dataDir, 'endpoint.json'), 'utf8')) as { url: string; token_file: string };
    return { url: info.url, token: fs.readFileSync(info.token_file, 'utf8').trim() };
  } catch {
    return null;
  }
}

async function api<T>(route: string): Promise<T> {
  const { url, token } = endpoint()!;
  return (await (await fetch(`${url}${route}`, { headers: { authorization: `Bearer ${token}` } })).json()) as T;
}

/** Polls an asynchronous condition on real time, like waitFor. */
async function eventually<T>(check: () => Promise<T | null>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const eventIds = async (): Promise<string[]> => (await api<EventsResponse>('/v1/events?after=0&limit=100')).events.map((e) => e.event_id);

beforeEach(() => {
  if (!canMountTmpfs) return;
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-full-'));
  dataDir = path.join(root, 'data');
  fs.mkdirSync(dataDir);
  mountTmpfs(dataDir, TMPFS_BYTES);
});

afterEach(async () => {
  if (!canMountTmpfs) return;
  if (engine && engine.exitCode === null && engine.signalCode === null) {
    engine.kill('SIGKILL');
    await new Promise((resolve) => engine!.once('exit', resolve));
  }
  engine = null;
  await demo?.stop();
  demo = null;
  unmountTmpfs(dataDir);
  fs.rmSync(root, { recursive: true, force: true });
});

describe('a full disk', () => {
  const title = 'keeps the engine running and saying why, and heals by itself once space is back';
  it.skipIf(!canMountTmpfs)(canMountTmpfs ? title : `${title} ${SKIPPED_WITHOUT_ROOT}`, { timeout: 60_000 }, async () => {
    demo = await DemoProvider.start({ apiKey: KEY });
    engine = spawn(process.execPath, [BIN, 'run', '--url', demo.url, '--api-url', demo.restUrl, '--port', '0', '--no-socket', '--data-dir', dataDir], {
      env: { ...process.env, MAILBRIDGE_API_KEY: KEY },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    engine.stdout!.on('data', (chunk) => (output += chunk));
    engine.stderr!.on('data', (chunk) => (output += chunk));
    await waitFor(() => output.includes('live') && endpoint(), 15_000, `a live engine: ${output}`);

    const before = demo.emit();
    await eventually(async () => ((await eventIds()).length === 1 ? true : null), 10_000, 'the first event');

    const filler = path.join(dataDir, 'filler');
    fillDisk(filler);
    // Each body is larger than anything the WAL could reuse: these need new pages on a disk that has none.
    const body = 'The disk is full. '.repeat(20_000);
    // Each its own mail: events of one type that name the same message id are one mail, stored once.
    const during = Array.from({ length: 5 }, (_, i) =>
      demo!.emit({ message: { id: `m${i}`, from: 'a@example.com', to: 'b@example.com', subject: 'Large', body_text: body } }),
    );
    await waitFor(() => /could not store \d+ event\(s\): database or disk is full/.test(output), 15_000, `the engine to say the disk is full: ${output}`);

    // Still running, still answering, and saying why.
    expect(engine.exitCode).toBeNull();
    const status = await api<DaemonStatus>('/v1/status');
    expect(status.accounts[0]!.lastError).toMatch(/disk is full/);
    expect(await eventIds()).toEqual([before.event_id]);

    fs.rmSync(filler);
    const after = demo.emit();
    const expected = [before, ...during, after].map((e) => e.event_id);
    const stored = await eventually(
      async () => {
        const ids = await eventIds();
        return ids.length === expected.length ? ids : null;
      },
      40_000,
      'every event once space was back',
    );
    expect([...stored].sort()).toEqual([...expected].sort());
    expect(engine.exitCode).toBeNull();
  });
});
