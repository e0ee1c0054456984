// `mailbridge mcp` as an agent tool launches it: a real child process speaking MCP on stdio, driven by the SDK's
// own Client over StdioClientTransport. It serves the engine's tools when one runs, says clearly when none does,
// and recovers when one starts or restarts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../support/wait-for.ts';
import { mayCallAgain } from '../../../daemon/mcp/stdio-bridge.ts';
import { INBOX, startEngineWithDemo, type EngineWithDemo } from './engine-with-demo.ts';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/mailbridge.js');

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

function tempDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-stdio-'));
  cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, 'data');
}

async function engine(dataDir: string): Promise<EngineWithDemo> {
  const started = await startEngineWithDemo({}, dataDir);
  cleanups.push(() => started.stop());
  return started;
}

async function stdioClient(args: string[]): Promise<{ client: Client; stderr: () => string }> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp', ...args], stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (chunk) => (stderr += chunk));
  const client = new Client({ name: 'stdio-test', version: '1.0.0' });
  await client.connect(transport);
  cleanups.push(() => client.close());
  return { client, stderr: () => stderr };
}

function text(result: Awaited<ReturnType<Client['callTool']>>): string {
  return (result.content as Array<{ text: string }>).map((part) => part.text).join('\n');
}

// Each test launches the command line (a few seconds on a loaded machine) and an engine.
describe('mailbridge mcp (stdio)', { timeout: 60_000 }, () => {
  it('lists the tools and says clearly that no engine runs, then serves once one starts', async () => {
    const dataDir = tempDataDir();
    const { client, stderr } = await stdioClient(['--data-dir', dataDir]);
    expect((await client.listTools()).tools.map((tool) => tool.name).sort()).toEqual([
      'get_attachment',
      'get_email',
      'list_emails',
      'mark_read',
      'reply_to_email',
      'search_emails',
      'send_email',
      'wait_for_code',
      'wait_for_email',
    ]);
    const refused = await client.callTool({ name: 'wait_for_email', arguments: { timeout_seconds: 5 } });
    expect(refused.isError).toBe(true);
    expect(text(refused)).toContain(`Mailbridge is not running for the data dir ${dataDir}`);
    await waitFor(() => stderr().includes('Mailbridge is not running'), 5_000, 'the stderr line');

    const running = await engine(dataDir);
    const { seq } = await running.mail({ from: 'dana.reyes@northwind.example', subject: 'Hello over stdio', body: 'Hi.' });
    const listed = await client.callTool({ name: 'list_emails', arguments: { limit: 1 } });
    expect(listed.structuredContent).toMatchObject({ items: [{ seq, subject: 'Hello over stdio' }] });
    await waitFor(() => stderr().includes(`connected to Mailbridge at ${running.url}`), 5_000, 'the connected line');
  });

  it('waits for a code with progress, passes cancellation on, and forwards resource updates', async () => {
    const dataDir = tempDataDir();
    const running = await engine(dataDir);
    const { client } = await stdioClient(['--data-dir', dataDir]);
    await running.mail({ from: 'noreply@github.com', subject: 'Old code', body: 'Verification code: 111111' });
    // Connected (the engine's session holds a hub listener of its own) before counting the waits' listeners.
    expect((await client.callTool({ name: 'list_emails', arguments: {} })).isError).toBeFalsy();

    const progress: number[] = [];
    const base = running.daemon.hub.listenerCount;
    const call = client.callTool({ name: 'wait_for_code', arguments: { from: 'github.com', timeout_seconds: 30 } }, undefined, {
      onprogress: (note) => progress.push(note.progress),
    });
    await waitFor(() => running.daemon.hub.listenerCount > base, 5_000, 'the wait in the engine');
    // The first progress note comes at once, through the bridge. (Waited for: the SDK's client drops a note that
    // reaches it in the same read as its request's answer.)
    await waitFor(() => progress[0] === 0, 5_000, 'the first progress note');
    const sent = performance.now();
    running.send({ from: 'GitHub <noreply@github.com>', subject: '[GitHub] Please verify your device', body: 'Verification code: 482913' });
    const result = await call;
    console.info(`wait_for_code over stdio, mail sent to answer received: ${(performance.now() - sent).toFixed(1)} ms`);
    expect(result.structuredContent).toMatchObject({ status: 'received', code: '482913' });

    const controller = new AbortController();
    const cancelled = client.callTool({ name: 'wait_for_email', arguments: { timeout_seconds: 300 } }, undefined, { signal: controller.signal });
    await waitFor(() => running.daemon.hub.listenerCount > base, 5_000, 'the second wait');
    controller.abort();
    await expect(cancelled).rejects.toThrow();
    await waitFor(() => running.daemon.hub.listenerCount === base, 5_000, 'the engine to drop the cancelled wait');

    const updates: string[] = [];
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (note) => {
      updates.push(note.params.uri);
    });
    await client.subscribeResource({ uri: 'mailbridge://mail/recent' });
    await running.mail({ from: 'priya@lumenlabs.example', subject: 'Wake', body: 'up' });
    await waitFor(() => updates.includes('mailbridge://mail/recent'), 5_000, 'the forwarded resources/updated');
    const recent = await client.readResource({ uri: 'mailbridge://mail/recent' });
    expect(JSON.parse((recent.contents[0] as { text: string }).text).items[0]).toMatchObject({ subject: 'Wake' });
  });

  it('reconnects to an engine that restarted', async () => {
    const dataDir = tempDataDir();
    const first = await startEngineWithDemo({}, dataDir);
    const { client } = await stdioClient(['--data-dir', dataDir]);
    expect((await client.callTool({ name: 'list_emails', arguments: {} })).isError).toBeFalsy();
    await first.stop();
    const second = await engine(dataDir);
    const { seq } = await second.mail({ from: 'ops@northwind.example', subject: 'After the restart', body: '.' });
    const after = await client.callTool({ name: 'get_email', arguments: { seq } });
    expect(after.structuredContent).toMatchObject({ mail: { seq, subject: 'After the restart' } });
  });

  it('sends through the engine, and a send repeated after the engine restarted is answered once, not sent again', async () => {
    const dataDir = tempDataDir();
    const first = await startEngineWithDemo({}, dataDir);
    const { client } = await stdioClient(['--data-dir', dataDir]);
    const mail = { to: 'ana@example.com', subject: 'Over stdio', text: 'Sent once.', inbox_id: INBOX };
    const sent = await client.callTool({ name: 'send_email', arguments: mail });
    expect(sent.structuredContent).toMatchObject({ status: 'sent', repeated: false });
    expect(first.demo.mailbox.messages(INBOX, 'outbound')).toHaveLength(1);
    await first.stop();
    // The bridge's session died with the engine: it connects to the new one, and the engine finds the call's record.
    const second = await engine(dataDir);
    const again = await client.callTool({ name: 'send_email', arguments: mail });
    expect(again.structuredContent).toEqual({ ...(sent.structuredContent as object), repeated: true });
    expect(second.demo.mailbox.messages(INBOX, 'outbound')).toHaveLength(0);
  });

  it('says so when the engine refuses the token it was given', async () => {
    const dataDir = tempDataDir();
    await engine(dataDir);
    const tokenFile = path.join(path.dirname(dataDir), 'agent-token');
    fs.writeFileSync(tokenFile, 'not-a-token\n', { mode: 0o600 });
    const { client } = await stdioClient(['--data-dir', dataDir, '--token-file', tokenFile]);
    const refused = await client.callTool({ name: 'list_emails', arguments: {} });
    expect(refused.isError).toBe(true);
    expect(text(refused)).toContain(`refused the token in ${tokenFile}`);
  });
});

describe('what the bridge calls again by itself', () => {
  const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
  const broken = new TypeError('fetch failed', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) });
  const unknownSession = new StreamableHTTPError(404, 'no such MCP session');

  it('any tool the engine cannot have run: an unknown session, a refused connection', () => {
    for (const error of [refused, unknownSession]) {
      expect(mayCallAgain('send_email', error)).toBe(true);
      expect(mayCallAgain('list_emails', error)).toBe(true);
    }
  });

  it('after a connection that broke during the call, only tools whose repeat changes nothing more', () => {
    expect(mayCallAgain('get_email', broken)).toBe(true);
    expect(mayCallAgain('mark_read', broken)).toBe(true);
    expect(mayCallAgain('send_email', broken)).toBe(false);
    expect(mayCallAgain('reply_to_email', broken)).toBe(false);
    expect(mayCallAgain('get_email', new StreamableHTTPError(500, 'internal'))).toBe(false);
  });
});
