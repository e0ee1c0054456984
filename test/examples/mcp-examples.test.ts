// The README's "Use with AI agents" snippets, each a file in examples/ quoted verbatim there: every MCP client
// configuration is read from its file and launched (or connected to) exactly as written, with the SDK's own Client,
// against a real engine fed by the demo provider; the 2FA script and the shell script run as a person runs them.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEngineWithDemo, type EngineWithDemo } from '../daemon/mcp/engine-with-demo.ts';
import { waitFor } from '../support/wait-for.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const EXAMPLES = path.join(ROOT, 'examples');
/** The placeholder the configurations use for the checkout. */
const CHECKOUT = '/path/to/mailbridge';
/** The placeholder the HTTP configuration uses for the token, as clients that expand variables read it. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: the configuration's placeholder, literally.
const TOKEN_VARIABLE = '${MAILBRIDGE_TOKEN}';
/** Launching through npx and loading the command line takes seconds on a loaded machine. */
const LAUNCH_TIMEOUT_MS = 60_000;
const CODE_MAIL = { from: 'GitHub <noreply@github.com>', subject: '[GitHub] Please verify your device', body: 'Verification code: 482913' };

let h: EngineWithDemo;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  h = await startEngineWithDemo();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});
afterAll(async () => {
  await h?.stop();
});

function example(file: string): string {
  return fs.readFileSync(path.join(EXAMPLES, file), 'utf8');
}

async function connect(transport: Transport): Promise<Client> {
  const client = new Client({ name: 'examples-test', version: '1.0.0' });
  await client.connect(transport);
  cleanups.push(() => client.close());
  return client;
}

/** A stdio server launched as an app would: the command and arguments as configured, from a directory of its own. */
function stdio(command: string, args: string[], cwd: string): StdioClientTransport {
  return new StdioClientTransport({ command, args, cwd, env: { ...process.env, MAILBRIDGE_DATA_DIR: h.dataDir } as Record<string, string> });
}

/** Lists the tools, then waits for a code that arrives while the call is open: the whole path, as an agent uses it. */
async function servesTheTools(client: Client): Promise<void> {
  expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('wait_for_code');
  await client.callTool({ name: 'list_emails', arguments: { limit: 1 } });
  const base = h.daemon.hub.listenerCount;
  const call = client.callTool({ name: 'wait_for_code', arguments: { from: 'github.com', timeout_seconds: 30 } });
  await waitFor(() => h.daemon.hub.listenerCount > base, 10_000, 'the wait');
  h.send(CODE_MAIL);
  expect((await call).structuredContent).toMatchObject({ status: 'received', code: '482913' });
}

function run(command: string, args: string[], env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(command, args, { cwd: EXAMPLES, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  cleanups.push(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return { child, output: () => output };
}

describe('Use with AI agents', () => {
  it('Claude Code: the command after `--` serves the tools over stdio', async () => {
    const line = /^claude mcp add mailbridge -- (.+)$/m.exec(example('claude-code-mcp.sh'))?.[1];
    expect(line).toBe('npx mailbridge mcp');
    const [command, ...args] = line!.split(' ');
    await servesTheTools(await connect(stdio(command!, args, ROOT)));
  }, LAUNCH_TIMEOUT_MS);

  it.each(['cursor-mcp.json', 'claude-desktop-config.json'])('%s launches a server with the tools from anywhere', async (file) => {
    const server = JSON.parse(example(file)).mcpServers.mailbridge as { command: string; args: string[] };
    const args = server.args.map((arg) => arg.replace(CHECKOUT, ROOT));
    await servesTheTools(await connect(stdio(server.command, args, os.tmpdir())));
  }, LAUNCH_TIMEOUT_MS);

  it('any Streamable HTTP client: the URL and header as configured', async () => {
    const server = JSON.parse(example('mcp-http-config.json')).mcpServers.mailbridge as { type: string; url: string; headers: Record<string, string> };
    expect(server.type).toBe('http');
    const url = new URL(server.url);
    expect(url.pathname).toBe('/mcp');
    // The documented default port; this engine listens on a free one.
    url.port = new URL(h.url).port;
    const headers = Object.fromEntries(Object.entries(server.headers).map(([name, value]) => [name, value.replace(TOKEN_VARIABLE, h.token())]));
    await servesTheTools(await connect(new StreamableHTTPClientTransport(url, { requestInit: { headers } })));
  });

  it('the 2FA walkthrough script prints the code that was sent after it connected, then marks its mail read', async () => {
    const script = run(process.execPath, [path.join(EXAMPLES, 'mcp-2fa.mjs'), 'github.com'], { MAILBRIDGE_URL: h.url, MAILBRIDGE_TOKEN: h.token() });
    await waitFor(() => script.output().includes('connected: have the code sent now'), 15_000, `the script to connect: ${script.output()}`);
    const mail = h.send(CODE_MAIL);
    await waitFor(() => script.output().includes('code 482913 link - from GitHub <noreply@github.com>'), 15_000, `the code: ${script.output()}`);
    await waitFor(() => script.output().includes(`Marked the thread ${mail.thread_id} of mail `), 15_000, `the mark: ${script.output()}`);
    expect(h.demo.mailbox.thread(mail.thread_id!)?.isRead).toBe(true);
  });

  it('the reply script answers a mail that arrives in its thread, with an agent token that may send', async () => {
    const { token } = h.daemon.tokens.create({ name: 'replier', scope: 'send', inboxIds: [], allowSenders: [] });
    const script = run(process.execPath, [path.join(EXAMPLES, 'mcp-reply.mjs'), 'northwind.example'], { MAILBRIDGE_URL: h.url, MAILBRIDGE_TOKEN: token });
    await waitFor(() => script.output().includes('connected: waiting for mail'), 15_000, `the script to connect: ${script.output()}`);
    const mail = h.send({ from: 'Dana Reyes <dana.reyes@northwind.example>', subject: 'Pallet count', body: 'We need 14 pallets.' });
    await waitFor(() => /^Sent from \S+ \(account work\) to dana\.reyes@northwind\.example: message msg_/m.test(script.output()), 15_000, `the reply: ${script.output()}`);
    const thread = h.demo.mailbox.threadMessages(mail.thread_id!);
    expect(thread.map((message) => [message.direction, message.subject])).toEqual([
      ['inbound', 'Pallet count'],
      ['outbound', 'Re: Pallet count'],
    ]);
  });

  it('the shell script gets the code from mailbridge wait', async () => {
    const base = h.daemon.hub.listenerCount;
    const script = run('bash', [path.join(EXAMPLES, 'wait-for-code.sh'), 'github.com'], { MAILBRIDGE_DATA_DIR: h.dataDir });
    await waitFor(() => h.daemon.hub.listenerCount > base, 30_000, `the wait: ${script.output()}`);
    h.send(CODE_MAIL);
    await waitFor(() => script.output().includes('got code 482913'), 15_000, `the code: ${script.output()}`);
  }, LAUNCH_TIMEOUT_MS);
});
