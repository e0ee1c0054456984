// Every snippet in the README's "Connect an agent" section is a file in examples/, run here against a real
// engine by the real client it is written for (bash + curl + jq, Node, Python), and quoted verbatim in the README.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Daemon } from '../../daemon/daemon.ts';
import { attachmentBytes } from '../../daemon/demo/attachment-files.ts';
import { DemoProvider } from '../../daemon/demo/server.ts';
import { startEngine } from '../../daemon/engine.ts';
import { sleep, waitFor } from '../support/wait-for.ts';
import { testDaemonOptions } from '../support/daemon-options.ts';
import { NatsServer } from '../support/nats-server.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const EXAMPLES = path.join(ROOT, 'examples');
const SECRET = 'whsec_example_test_secret';
const SUBJECT = 'Test event from Mailbridge';
// Debian's Python, where python3-websockets is installed.
const PYTHON = '/usr/bin/python3';
// The embedded demo provider's first inbox.
const DEMO_INBOX = 'inb_8f3a1b2c';

let dir: string;
let daemon: Daemon;
let token: string;
let webhookPort: number;
const children: ChildProcess[] = [];

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-examples-'));
  webhookPort = await freePort();
  ({ daemon } = await startEngine(testDaemonOptions(dir, { demo: { intervalMs: null }, unixSocket: true })));
  token = fs.readFileSync(daemon.endpoint!.tokenFile, 'utf8').trim();
});

afterAll(async () => {
  await daemon?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

afterEach(() => {
  for (const child of children.splice(0)) {
    // Shell loops run their curl in a child: end the whole process group.
    if (child.pid && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
  }
});

async function waitForPort(port: number): Promise<void> {
  for (let tries = 0; tries < 100; tries++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(true)).on('error', () => resolve(false));
      socket.unref();
      setTimeout(() => socket.destroy(), 200);
    });
    if (open) return;
    await sleep(100);
  }
  throw new Error(`nothing listens on port ${port}`);
}

/** Runs an example, committing test events until its output shows one, as an agent would see it arrive. */
async function seesEvent(
  command: string,
  args: string[],
  started: () => Promise<void> = async () => {},
  extraEnv: Record<string, string> = {},
): Promise<string> {
  const endpoint = daemon.endpoint!;
  const child = spawn(command, args, {
    cwd: EXAMPLES,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      MAILBRIDGE_URL: endpoint.url,
      MAILBRIDGE_WS_URL: `${endpoint.url.replace(/^http/, 'ws')}/v1/ws`,
      MAILBRIDGE_SOCKET: endpoint.socketPath ?? '',
      MAILBRIDGE_TOKEN: token,
      WEBHOOK_SECRET: SECRET,
      PORT: String(webhookPort),
      ...extraEnv,
    },
  });
  children.push(child);
  let output = '';
  let errors = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (errors += chunk));
  await started();
  const deadline = Date.now() + 15_000;
  while (!output.includes(SUBJECT)) {
    if (Date.now() > deadline || child.exitCode !== null) {
      throw new Error(`${path.basename(args.at(-1)!)} showed no event (exit ${child.exitCode}): ${errors || output}`);
    }
    daemon.testEvent();
    await sleep(300);
  }
  return output;
}

describe('README examples', () => {
  it('curl long-poll loop prints events as JSON lines', async () => {
    const output = await seesEvent('bash', [path.join(EXAMPLES, 'curl-long-poll.sh')]);
    const first = JSON.parse(output.split('\n')[0]!);
    expect(first).toMatchObject({ event: 'message.received', test: true, message: { subject: SUBJECT } });
    expect(first.seq).toBeGreaterThan(0);
  });

  it('curl over the Unix socket needs no token', async () => {
    const output = await seesEvent('bash', [path.join(EXAMPLES, 'curl-unix-socket.sh')]);
    expect(JSON.parse(output.split('\n')[0]!)).toMatchObject({ message: { subject: SUBJECT } });
  });

  it('Node fetch agent with a named consumer acknowledges what it handled', async () => {
    const output = await seesEvent(process.execPath, [path.join(EXAMPLES, 'node-consumer.mjs')]);
    expect(output).toMatch(/^\d+ message\.received mailbridge@localhost Test event from Mailbridge$/m);
    // The agent acknowledges after printing: wait for the acknowledgement to reach the engine.
    await waitFor(() => (daemon.consumers.get('my-agent') ?? 0) > 0, 10_000, 'the consumer to acknowledge');
  });

  it('OpenMail ws client works unchanged against the local WebSocket', async () => {
    const output = await seesEvent(process.execPath, [path.join(EXAMPLES, 'node-openmail-ws.mjs')]);
    expect(output).toMatch(/^subscribed$/m);
    expect(output).toMatch(/^evt_test_\w+: mailbridge@localhost -> Test event from Mailbridge$/m);
  });

  it('Python urllib long-poll', async () => {
    const output = await seesEvent(PYTHON, [path.join(EXAMPLES, 'python-long-poll.py')]);
    expect(output).toMatch(/^\d+ message\.received mailbridge@localhost Test event from Mailbridge$/m);
  });

  it('Python websockets client', async () => {
    const output = await seesEvent(PYTHON, [path.join(EXAMPLES, 'python-websockets.py')]);
    expect(output).toMatch(/^evt_test_\w+ mailbridge@localhost Test event from Mailbridge$/m);
  });

  it('OpenMail webhook handler verifies and receives forwarded events', async () => {
    // The target is added once the handler listens, as a person adds it in settings; it starts at the present.
    const output = await seesEvent(process.execPath, [path.join(EXAMPLES, 'webhook-handler.mjs')], async () => {
      await waitForPort(webhookPort);
      daemon.setSettingsForwardTargets([{ id: 'example', url: `http://127.0.0.1:${webhookPort}/webhook`, secret: SECRET, inboxIds: [], eventTypes: [] }]);
    });
    expect(output).toMatch(/^evt_test_\w+: mailbridge@localhost -> Test event from Mailbridge$/m);
  });

  it('curl sends through the proxy with a send-scoped token it creates, and a retry with the answered key sends nothing more', async () => {
    const endpoint = daemon.endpoint!;
    const child = spawn('bash', [path.join(EXAMPLES, 'curl-send-through-proxy.sh')], {
      cwd: EXAMPLES,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      // No MAILBRIDGE_AGENT_TOKEN: the example makes its token with `npx mailbridge token create`, through the engine.
      env: { ...process.env, MAILBRIDGE_URL: endpoint.url, MAILBRIDGE_DATA_DIR: dir, MAILBRIDGE_ACCOUNT: 'demo', MAILBRIDGE_INBOX: DEMO_INBOX },
    });
    children.push(child);
    let output = '';
    let errors = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (errors += chunk));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, errors).toBe(0);
    const [first, retry] = output.trim().split('\n').map((line) => JSON.parse(line) as { messageId: string; status: string });
    expect(first).toMatchObject({ status: 'sent', messageId: expect.any(String) });
    expect(retry).toEqual(first);
    expect(daemon.tokens.list()).toEqual([expect.objectContaining({ name: 'mailer', scopes: ['read', 'send'], inboxIds: [DEMO_INBOX] })]);
    const sends = daemon.audit.page({ token: 'mailer' }).entries;
    expect(sends.map((entry) => [entry.path, entry.status])).toEqual([
      [`/v1/inboxes/${DEMO_INBOX}/send`, 200],
      [`/v1/inboxes/${DEMO_INBOX}/send`, 200],
    ]);
    expect(sends[0]?.idempotencyKey).toMatch(/^mb-/);
    expect(sends[1]?.idempotencyKey).toBe(sends[0]?.idempotencyKey);
  }, 60_000);

  it('curl saves every attachment of new mail from its local_url, whole and under its own name', async () => {
    // A second account, on a provider of the test's own, whose mail carries a file the test knows.
    const apiKey = 'om_examples_files_key';
    const provider = await DemoProvider.start({ apiKey });
    const out = path.join(dir, 'saved');
    try {
      daemon.addAccount({ name: 'files', provider: 'openmail', url: provider.url, apiUrl: provider.restUrl, inboxIds: [], eventTypes: [], apiKey });
      await waitFor(() => daemon.status().accounts.find((account) => account.account === 'files')?.state === 'live', 10_000, 'the files account');
      const endpoint = daemon.endpoint!;
      const child = spawn('bash', [path.join(EXAMPLES, 'curl-attachments.sh'), out], {
        cwd: EXAMPLES,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, MAILBRIDGE_URL: endpoint.url, MAILBRIDGE_TOKEN: token },
      });
      children.push(child);
      let output = '';
      child.stdout!.on('data', (chunk) => (output += chunk));
      const text = 'INVOICE 2026-11\nTotal due: USD 48.00';
      const bytes = attachmentBytes({ filename: 'invoice 11.pdf', contentType: 'application/pdf', parsedText: text });
      provider.emit({
        inbox_id: 'inb_8f3a1b2c',
        message: {
          id: 'msg_example_files',
          from: 'billing@vendor.example',
          to: 'agent@demo.openmail.sh',
          subject: 'Your invoice',
          attachments: [{ filename: 'invoice 11.pdf', contentType: 'application/pdf', sizeBytes: bytes.length, parsedText: text }],
        },
      });
      // The engine's own demo mail may come with files too: this one is looked for by its name.
      const saved = await waitFor(() => /^saved (.+\/invoice 11\.pdf)$/m.exec(output)?.[1], 15_000, 'the example to save the file');
      expect(saved).toMatch(/\/saved\/\d+-0\/invoice 11\.pdf$/);
      expect(fs.readFileSync(saved).equals(bytes)).toBe(true);
    } finally {
      daemon.removeAccount('files');
      await provider.stop();
    }
  });

  it('a durable JetStream consumer reads what the engine publishes to NATS, and acknowledges it', async () => {
    const nats = await NatsServer.start();
    try {
      await daemon.setNatsSink({ url: nats.url, user: null, credentials: null, stream: 'MAILBRIDGE', subjectPrefix: 'mailbridge', maxAgeDays: 1, maxBytes: null });
      await waitFor(() => daemon.status().sinks[0]?.state === 'live', 10_000, 'the sink to be live');
      const output = await seesEvent(process.execPath, [path.join(EXAMPLES, 'nats-consumer.mjs')], async () => {}, { NATS_URL: nats.url });
      expect(output).toMatch(/^local:evt_test_\w+ mailbridge@localhost Test event from Mailbridge$/m);
      const nc = await connect({ servers: nats.url });
      try {
        const jsm = await jetstreamManager(nc);
        const acked = async () => (await jsm.consumers.info('MAILBRIDGE', 'my-agent')).ack_floor.stream_seq;
        const deadline = Date.now() + 5_000;
        while ((await acked()) < 1 && Date.now() < deadline) await sleep(50);
        expect(await acked()).toBeGreaterThanOrEqual(1);
      } finally {
        await nc.close();
      }
    } finally {
      await daemon.setNatsSink(null);
      await nats.stop();
    }
  });

  it('quotes every example verbatim in the README', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    for (const file of fs.readdirSync(EXAMPLES)) {
      expect(readme, `README.md should quote examples/${file}`).toContain(fs.readFileSync(path.join(EXAMPLES, file), 'utf8').trim());
    }
  });
});
