// Two engines, two data dirs, one account, one JetStream stream: `mailbridge run --publish-nats` as real child
// processes with the demo provider as their shared upstream. Mid-run the broker is killed and restarted and one
// engine is SIGKILLed and started again; the stream must hold every event the provider sent exactly once, and a
// durable pull consumer must read them all.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';
import type { DaemonStatus } from '../../../shared/status.ts';
import { DemoProvider } from '../../../daemon/demo/server.ts';
import { messageId } from '../../../daemon/nats/subjects.ts';
import { getAdapter } from '../../../daemon/providers/index.ts';
import { streamCount } from '../../support/jetstream-reader.ts';
import { NatsServer } from '../../support/nats-server.ts';
import { sleep, waitFor } from '../../support/wait-for.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = path.join(ROOT, 'bin', 'mailbridge.js');
const KEY = 'om_active_active_test_key';
const PER_PHASE = 120;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Engine {
  name: string;
  dataDir: string;
  child: ChildProcess;
  output: () => string;
}

function startEngine(name: string, dataDir: string, demo: DemoProvider, nats: NatsServer): Engine {
  const child = spawn(
    process.execPath,
    [BIN, 'run', '--data-dir', dataDir, '--port', '0', '--no-socket', '--url', demo.url, '--api-url', demo.restUrl, '--publish-nats', nats.url, '--engine-name', name],
    { env: { ...process.env, MAILBRIDGE_API_KEY: KEY }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  return { name, dataDir, child, output: () => output };
}

async function status(engine: Engine): Promise<DaemonStatus | null> {
  try {
    const info = JSON.parse(fs.readFileSync(path.join(engine.dataDir, 'endpoint.json'), 'utf8')) as { url: string; token_file: string; pid: number };
    if (info.pid !== engine.child.pid) return null;
    const token = fs.readFileSync(info.token_file, 'utf8').trim();
    const response = await fetch(`${info.url}/v1/status`, { headers: { authorization: `Bearer ${token}` } });
    return response.ok ? ((await response.json()) as DaemonStatus) : null;
  } catch {
    return null;
  }
}

async function until(engine: Engine, check: (s: DaemonStatus) => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const current = await status(engine);
    if (current !== null && check(current)) return;
    if (Date.now() > deadline) throw new Error(`${engine.name}: timed out waiting for ${what}: ${JSON.stringify(current?.sinks)}\n${engine.output()}`);
    await sleep(50);
  }
}

const publishing = (s: DaemonStatus): boolean => s.accounts[0]?.state === 'live' && s.sinks[0]?.state === 'live';

/** Emits `count` events a few milliseconds apart, as a provider does under load. */
async function emit(demo: DemoProvider, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    demo.emit();
    if (i % 10 === 9) await sleep(15);
  }
}

describe('mailbridge run --publish-nats', () => {
  it('two engines on one account leave every event the provider sent exactly once in the stream through a broker restart and a SIGKILL', async () => {
    const nats = await NatsServer.start();
    cleanups.push(() => nats.stop());
    const demo = await DemoProvider.start({ apiKey: KEY, intervalMs: null });
    cleanups.push(() => demo.stop());
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-active-active-'));
    cleanups.push(() => fs.rmSync(root, { recursive: true, force: true }));

    // One after the other, so a window build the first start may do is not run twice at once.
    let a = startEngine('engine-a', path.join(root, 'a'), demo, nats);
    await until(a, publishing, 'engine a to be live and publishing');
    const b = startEngine('engine-b', path.join(root, 'b'), demo, nats);
    await until(b, publishing, 'engine b to be live and publishing');
    await waitFor(() => demo.connectionCount() === 2, 10_000, 'both engines on the provider');

    await emit(demo, PER_PHASE);
    await nats.kill();
    await emit(demo, PER_PHASE);
    await nats.restart();
    await emit(demo, PER_PHASE / 2);
    a.child.kill('SIGKILL');
    await emit(demo, PER_PHASE);
    a = startEngine('engine-a', path.join(root, 'a'), demo, nats);
    await emit(demo, PER_PHASE / 2);
    await until(a, publishing, 'engine a to be back');
    await emit(demo, PER_PHASE);

    // Each mail by its identity in the stream, however an engine came by it (a push, a replay or a catch-up).
    const sent = demo.emitted.map((event) => messageId('default', { eventId: event.event_id, eventType: event.event, messageKey: getAdapter('openmail').messageKey(event) }));
    expect(sent).toHaveLength(5 * PER_PHASE);
    for (const engine of [a, b]) {
      await until(engine, (s) => publishing(s) && s.sinks[0]!.lag === 0 && s.store.latestSeq === sent.length, 'its sink to catch up', 60_000);
    }
    expect(await streamCount(nats.url, 'MAILBRIDGE')).toBe(sent.length);
    // Both published everything: each event was acknowledged to each engine, once stored and once as a duplicate.
    const [afterA, afterB] = [(await status(a))!.sinks[0]!, (await status(b))!.sinks[0]!];
    expect(afterB.published).toBe(sent.length);
    expect(afterA.published).toBeGreaterThanOrEqual(sent.length);

    // An agent anywhere: a durable pull consumer that acknowledges what it handled.
    const nc = await connect({ servers: nats.url });
    cleanups.push(() => nc.close());
    await (await jetstreamManager(nc)).consumers.add('MAILBRIDGE', { durable_name: 'agents', ack_policy: AckPolicy.Explicit });
    const consumer = await jetstream(nc).consumers.get('MAILBRIDGE', 'agents');
    const read: string[] = [];
    while (read.length < sent.length) {
      const batch = await consumer.fetch({ max_messages: 200, expires: 2_000 });
      const before = read.length;
      for await (const message of batch) {
        read.push(message.headers!.get('Nats-Msg-Id'));
        expect(message.subject).toMatch(/^mailbridge\.default\.[\w-]+\.message_received$/);
        message.ack();
      }
      if (read.length === before) break;
    }
    expect(read.sort()).toEqual([...sent].sort());
    const info = await consumer.info();
    expect(info.num_pending).toBe(0);
  }, 150_000);

  it('resumes a SIGKILLed engine from its cursor: nothing is lost, and at most one batch is sent again', async () => {
    const nats = await NatsServer.start();
    cleanups.push(() => nats.stop());
    const demo = await DemoProvider.start({ apiKey: KEY, intervalMs: null });
    cleanups.push(() => demo.stop());
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-sigkill-'));
    cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));

    let engine = startEngine('engine-a', dataDir, demo, nats);
    await until(engine, publishing, 'the engine to be live and publishing');
    await emit(demo, 400);
    await until(engine, (s) => s.sinks[0]!.position > 0, 'publishing to start');
    engine.child.kill('SIGKILL');
    await emit(demo, 100);
    engine = startEngine('engine-a', dataDir, demo, nats);
    await until(engine, (s) => publishing(s) && s.store.latestSeq === 500 && s.sinks[0]!.lag === 0, 'the engine to catch up', 60_000);

    const sink = (await status(engine))!.sinks[0]!;
    // Only what was in flight at the kill (acked but not yet recorded) is sent again, and the stream drops it as a
    // duplicate; the count of published events follows the cursor, so each event counts once however often sent.
    expect(sink.duplicates).toBeLessThanOrEqual(64);
    expect(sink.published).toBe(500);
    expect(await streamCount(nats.url, 'MAILBRIDGE')).toBe(500);
  }, 90_000);
});
