// `mailbridge` as a person runs it: a real child process, a real provider socket, the real keychain,
// a real SQLite file, and SIGKILL at awkward moments.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventsResponse } from '../../shared/local-api.ts';
import type { DaemonStatus } from '../../shared/status.ts';
import { DemoProvider } from '../../daemon/demo/server.ts';
import { dataPaths } from '../../daemon/paths.ts';
import { openDatabase } from '../../daemon/store/db.ts';
import { EventStore } from '../../daemon/store/events.ts';
import { sleep, waitFor } from '../support/wait-for.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'bin', 'mailbridge.js');
const KEY = 'om_cli_test_key_5f1e2d3c4b5a';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-cli-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function provider(): Promise<DemoProvider> {
  const demo = await DemoProvider.start({ apiKey: KEY });
  cleanups.push(() => demo.stop());
  return demo;
}

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function mailbridge(args: string[], env: Record<string, string> = {}, input?: string): Run {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  if (input !== undefined) child.stdin!.end(input);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  return { child, output: () => output, exited };
}

async function finished(run: Run): Promise<{ code: number | null; output: string }> {
  const code = await Promise.race([run.exited, sleep(15_000).then(() => 'timeout' as const)]);
  if (code === 'timeout') throw new Error(`mailbridge did not finish: ${run.output()}`);
  return { code, output: run.output() };
}

function endpointOf(dataDir: string): { url: string; token: string } | null {
  try {
    const info = JSON.parse(fs.readFileSync(path.join(dataDir, 'endpoint.json'), 'utf8')) as { url: string; token_file: string; pid: number };
    return { url: info.url, token: fs.readFileSync(info.token_file, 'utf8').trim() };
  } catch {
    return null;
  }
}

async function api<T>(dataDir: string, route: string): Promise<T> {
  const endpoint = endpointOf(dataDir)!;
  const response = await fetch(`${endpoint.url}${route}`, { headers: { authorization: `Bearer ${endpoint.token}` } });
  return (await response.json()) as T;
}

function runDaemon(dataDir: string, demo: DemoProvider): Run {
  return mailbridge(['run', '--url', demo.url, '--api-url', demo.restUrl, '--port', '0', '--data-dir', dataDir], { MAILBRIDGE_API_KEY: KEY });
}

async function liveDaemon(dataDir: string, demo: DemoProvider): Promise<Run> {
  const run = runDaemon(dataDir, demo);
  await waitFor(() => run.output().includes('live') && endpointOf(dataDir), 10_000, `live daemon: ${run.output()}`);
  return run;
}

async function allEvents(dataDir: string): Promise<EventsResponse['events']> {
  return (await api<EventsResponse>(dataDir, '/v1/events?after=0&limit=1000')).events;
}

describe('mailbridge run', () => {
  it('stores every event exactly once across repeated SIGKILLs of the daemon', async () => {
    const demo = await provider();
    const dataDir = tempDir();
    let run = await liveDaemon(dataDir, demo);
    const emitter = setInterval(() => demo.emit(), 15);
    cleanups.push(() => clearInterval(emitter));
    for (let kill = 0; kill < 3; kill++) {
      await sleep(150 + Math.floor(Math.random() * 300));
      run.child.kill('SIGKILL');
      await run.exited;
      await sleep(100);
      run = await liveDaemon(dataDir, demo);
    }
    clearInterval(emitter);
    const emitted = demo.emitted.map((e) => e.event_id);
    const deadline = Date.now() + 10_000;
    let stored = await allEvents(dataDir);
    while (stored.length < emitted.length && Date.now() < deadline) {
      await sleep(100);
      stored = await allEvents(dataDir);
    }
    // A restart slower than 100 emits pages past the replay cap, and paging stores live mail before the rest of
    // the backlog: once each, not in the provider's order.
    expect(stored.map((e) => e.event_id).toSorted()).toEqual(emitted.toSorted());
    expect(new Set(stored.map((e) => e.seq)).size).toBe(stored.length);
  });

  it('is live again soon after SIGSTOP/SIGCONT though the old socket still looks open', async () => {
    const demo = await provider();
    const dataDir = tempDir();
    const run = await liveDaemon(dataDir, demo);
    const first = demo.emit();
    await waitFor(async () => (await allEvents(dataDir)).some((event) => event.event_id === first.event_id), 10_000, 'the first event stored');
    run.child.kill('SIGSTOP');
    // While the laptop "sleeps", the provider stops answering on the old socket, as a vanished peer does.
    demo.halfOpen();
    await sleep(5_000);
    const missed = demo.emit();
    run.child.kill('SIGCONT');
    const resumed = Date.now();
    const endpoint = endpointOf(dataDir)!;
    const response = await fetch(`${endpoint.url}/v1/events?after=1&wait=15`, { headers: { authorization: `Bearer ${endpoint.token}` } });
    const page = (await response.json()) as EventsResponse;
    expect(page.events.map((e) => e.event_id)).toContain(missed.event_id);
    // The heartbeat alone would need up to 14 s; this bound proves the wake path, `npm run bench` measures it.
    expect(Date.now() - resumed).toBeLessThan(5_000);
  });

  it('refuses a second instance on the same data dir and points at the running one', async () => {
    const demo = await provider();
    const dataDir = tempDir();
    await liveDaemon(dataDir, demo);
    const second = await finished(runDaemon(dataDir, demo));
    expect(second.code).toBe(1);
    expect(second.output).toMatch(/already running/);
    expect(second.output).toContain(endpointOf(dataDir)!.url);
    expect(second.output.trim().split('\n')).toHaveLength(1);
  });

  it('says in one line that the port is busy', async () => {
    const demo = await provider();
    const blocker = net.createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => blocker.once('listening', resolve));
    cleanups.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const port = (blocker.address() as net.AddressInfo).port;
    const result = await finished(mailbridge(['run', '--url', demo.url, '--api-url', demo.restUrl, '--port', String(port), '--data-dir', tempDir()], { MAILBRIDGE_API_KEY: KEY }));
    expect(result.code).toBe(1);
    expect(result.output).toContain(String(port));
    expect(result.output).toMatch(/--port 0/);
  });

  it('reports a rejected key as needs_key and does not retry', async () => {
    const demo = await provider();
    const dataDir = tempDir();
    const run = mailbridge(['run', '--url', demo.url, '--api-url', demo.restUrl, '--port', '0', '--data-dir', dataDir], { MAILBRIDGE_API_KEY: 'om_wrong_key_0000000000' });
    await waitFor(() => run.output().includes('needs_key'), 10_000, 'needs_key');
    const status = await api<DaemonStatus>(dataDir, '/v1/status');
    expect(status.accounts[0]).toMatchObject({ state: 'needs_key' });
    expect(run.output()).not.toContain('om_wrong_key_0000000000');
    expect(demo.subscribes).toHaveLength(0);
  });

  it.each([
    [['run', '--port', 'eighty'], /--port takes a whole number/],
    [['run', '--provider', 'gmail'], /unknown provider 'gmail'/],
    [['run', '--url', 'http://example.com'], /ws:\/\/ or wss:\/\//],
    [['run', '--url', 'wss://api.openmail.sh/v1/ws?token=abc'], /must not carry credentials/],
    [['launch'], /unknown command 'launch'/],
    [['status', '--demo'], /'status' does not take --demo/],
    [['run', '--bogus'], /bogus/],
  ])('answers bad flags %j with one clear line and exit 2', async (args, message) => {
    const result = await finished(mailbridge(args as string[]));
    expect(result.code).toBe(2);
    expect(result.output).toMatch(message as RegExp);
  });
});

describe('mailbridge status, events and tail', () => {
  it('reads the running engine, lists history and tails new events', async () => {
    const demo = await provider();
    const dataDir = tempDir();
    await liveDaemon(dataDir, demo);
    const invoice = demo.emit({ message: { id: 'msg_1', from: 'ana@example.com', to: 'bot@openmail.sh', subject: 'Quarterly invoice' } });
    await waitFor(async () => (await allEvents(dataDir)).some((event) => event.event_id === invoice.event_id), 10_000, 'the mail stored');

    const status = await finished(mailbridge(['status', '--json', '--data-dir', dataDir]));
    expect(status.code).toBe(0);
    const parsed = JSON.parse(status.output) as DaemonStatus & { running: boolean };
    expect(parsed.running).toBe(true);
    expect(parsed.accounts[0]).toMatchObject({ provider: 'openmail', state: 'live' });
    expect(status.output).not.toContain(KEY);

    // Search indexes shortly after the commit: ask until the index has caught up.
    const events = await waitFor(async () => {
      const listed = await finished(mailbridge(['events', '--search', 'quarterly', '--data-dir', dataDir]));
      return /ana@example\.com → Quarterly invoice/.test(listed.output) && listed;
    }, 10_000, 'the mail found by search');
    expect(events.code).toBe(0);

    const tail = mailbridge(['tail', '--json', '--after', String(parsed.store.latestSeq), '--data-dir', dataDir]);
    const next = demo.emit();
    await waitFor(() => tail.output().includes(next.event_id), 10_000, 'tail output');
    expect(JSON.parse(tail.output().trim().split('\n').at(-1)!)).toMatchObject({ event_id: next.event_id });
  });

  it('reads the store itself when no engine runs, by the same page rule as the API', async () => {
    const dataDir = tempDir();
    const db = openDatabase(dataPaths(dataDir).database);
    const subjects = ['First', 'Second', 'Third'];
    new EventStore(db).commit(
      'work',
      subjects.map((subject, i) => ({ event: 'message.received', event_id: `evt_${i}`, occurred_at: '2026-11-23T10:00:00.000Z', inbox_id: 'inb_1', message: { id: `m${i}`, from: 'ana@example.com', to: 'bot@openmail.sh', subject } })),
    );
    db.close();

    const newest = await finished(mailbridge(['events', '--limit', '2', '--json', '--data-dir', dataDir]));
    expect(newest.code).toBe(0);
    expect(newest.output.trim().split('\n').map((line) => (JSON.parse(line) as { message: { subject: string } }).message.subject)).toEqual(['Second', 'Third']);
    const tooMany = await finished(mailbridge(['events', '--limit', '501', '--data-dir', dataDir]));
    expect(tooMany.code).toBe(1);
    expect(tooMany.output).toContain('limit must be an integer from 1 to 500');
  });

  it('rotates the token of the running endpoint at once', async () => {
    const demo = await provider();
    const dataDir = tempDir();
    await liveDaemon(dataDir, demo);
    const before = endpointOf(dataDir)!;
    const rotated = await finished(mailbridge(['token', '--rotate', '--data-dir', dataDir]));
    expect(rotated.code).toBe(0);
    const token = rotated.output.trim();
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(token).not.toBe(before.token);
    const old = await fetch(`${before.url}/v1/status`, { headers: { authorization: `Bearer ${before.token}` } });
    expect(old.status).toBe(401);
    const fresh = await fetch(`${before.url}/v1/status`, { headers: { authorization: `Bearer ${token}` } });
    expect(fresh.status).toBe(200);
  });

  it('manages agent tokens on the store with no engine, and through the running engine, where a revocation holds at once', async () => {
    const dataDir = tempDir();
    const created = await finished(mailbridge(['token', 'create', '--name', 'reader', '--scope', 'read', '--inbox', 'inb_1', '--json', '--data-dir', dataDir]));
    expect(created.code, created.output).toBe(0);
    const reader = JSON.parse(created.output) as { name: string; token: string; scopes: string[]; inboxIds: string[] };
    expect(reader).toMatchObject({ name: 'reader', token: expect.stringMatching(/^mbt_/), scopes: ['read'], inboxIds: ['inb_1'] });
    const twice = await finished(mailbridge(['token', 'create', '--name', 'reader', '--scope', 'read', '--data-dir', dataDir]));
    expect(twice.code).toBe(1);
    expect(twice.output).toMatch(/exists already/);

    const demo = await provider();
    await liveDaemon(dataDir, demo);
    const { url } = endpointOf(dataDir)!;
    expect((await fetch(`${url}/v1/events`, { headers: { authorization: `Bearer ${reader.token}` } })).status).toBe(200);
    const sender = await finished(mailbridge(['token', 'create', '--name', 'mailer', '--scope', 'send', '--data-dir', dataDir]));
    expect(sender.output).toMatch(/^Created the agent token "mailer" \(read \+ send · every inbox · every sender · .*\)\. It is shown this once:\n\n {2}mbt_\S{43}\n/);
    const list = await finished(mailbridge(['token', 'list', '--data-dir', dataDir]));
    expect(list.output.trim().split('\n').map((line) => line.split(' ')[0])).toEqual(['mailer', 'reader']);
    expect(list.output).not.toContain('mbt_');

    const revoked = await finished(mailbridge(['token', 'revoke', 'reader', '--data-dir', dataDir]));
    expect(revoked).toEqual({ code: 0, output: 'Revoked the agent token "reader": it is refused from now on.\n' });
    expect((await fetch(`${url}/v1/events`, { headers: { authorization: `Bearer ${reader.token}` } })).status).toBe(401);
    const again = await finished(mailbridge(['token', 'revoke', 'reader', '--data-dir', dataDir]));
    expect(again.code).toBe(1);
  });

  it('says when the engine is not running', async () => {
    const result = await finished(mailbridge(['status', '--data-dir', tempDir()]));
    expect(result.code).toBe(3);
    expect(result.output).toMatch(/not running/);
  });
});

describe('mailbridge login and logout', () => {
  it('verifies a piped key against the provider and stores it in the keychain, never in settings', async () => {
    const demo = await provider();
    const dataDir = tempDir();
    const account = `cli-${process.pid}`;
    const login = await finished(mailbridge(['login', '--url', demo.url, '--api-url', demo.restUrl, '--account', account, '--data-dir', dataDir], {}, `${KEY}\n`));
    expect(login.code).toBe(0);
    expect(login.output).toMatch(/accepted the key/);
    const settings = fs.readFileSync(path.join(dataDir, 'settings.json'), 'utf8');
    expect(settings).toContain(account);
    expect(settings).toContain(demo.restUrl);
    expect(settings).not.toContain(KEY);

    const run = mailbridge(['run', '--account', account, '--port', '0', '--data-dir', dataDir]);
    await waitFor(() => run.output().includes('live'), 10_000, `live with the stored key: ${run.output()}`);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);

    const logout = await finished(mailbridge(['logout', '--account', account, '--data-dir', dataDir]));
    expect(logout.code).toBe(0);
    expect(fs.readFileSync(path.join(dataDir, 'settings.json'), 'utf8')).not.toContain(account);
  });

  it('refuses to store a key the provider rejects', async () => {
    const demo = await provider();
    const dataDir = tempDir();
    const result = await finished(mailbridge(['login', '--url', demo.url, '--account', `bad-${process.pid}`, '--data-dir', dataDir], {}, 'om_not_valid_123456\n'));
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/rejected this key/);
    expect(result.output).not.toContain('om_not_valid_123456');
  });
});
