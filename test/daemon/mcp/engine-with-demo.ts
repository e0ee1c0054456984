// A real engine fed by the demo provider over its real WebSocket, and SDK clients for its MCP server: what the
// MCP tests drive. Mail is sent the way a provider sends it (`demo.emit`), so every answer has come the whole way.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { MailEvent } from '../../../shared/event.ts';
import type { Daemon } from '../../../daemon/daemon.ts';
import { DemoProvider } from '../../../daemon/demo/server.ts';
import { DEFAULT_INBOXES } from '../../../daemon/demo/samples.ts';
import { startEngine, type EngineOptions } from '../../../daemon/engine.ts';
import { testDaemonOptions } from '../../support/daemon-options.ts';
import { waitFor } from '../../support/wait-for.ts';

export const INBOX = DEFAULT_INBOXES[0]!;
export const OTHER_INBOX = DEFAULT_INBOXES[1]!;

export interface EngineWithDemo {
  dir: string;
  dataDir: string;
  demo: DemoProvider;
  /** The account's provider key: what an agent must never see. */
  apiKey: string;
  daemon: Daemon;
  url: string;
  token(): string;
  /** Sends a mail through the demo provider; resolves with its seq once the engine has committed it. */
  mail(fields: { from: string; subject: string; body: string; inbox?: string; html?: string }): Promise<{ event: MailEvent; seq: number }>;
  /** Sends a mail and returns at once (the caller times its arrival). */
  send(fields: { from: string; subject: string; body: string; inbox?: string; html?: string }): MailEvent;
  /** An SDK client over Streamable HTTP with the endpoint's token, or with `token` (an agent's). */
  client(name?: string, token?: string): Promise<Client>;
  stop(): Promise<void>;
}

/** `dataDir`: an existing one to run in (left in place on stop); a fresh temp dir by default. */
export async function startEngineWithDemo(overrides: Partial<EngineOptions> = {}, dataDir?: string): Promise<EngineWithDemo> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-mcp-'));
  dataDir ??= path.join(dir, 'data');
  const apiKey = `om_mcp_test_${randomBytes(8).toString('hex')}`;
  const demo = await DemoProvider.start({ apiKey });
  const { daemon } = await startEngine(
    testDaemonOptions(dataDir, {
      // The demo speaks OpenMail's REST API too: the send tools reach it through the proxy.
      accounts: [{ name: 'work', provider: 'openmail', url: demo.url, apiUrl: demo.restUrl, inboxIds: [], eventTypes: [], apiKey }],
      ...overrides,
    }),
  );
  await waitFor(() => daemon.status().accounts[0]?.state === 'live', 10_000, 'the demo account to be live');
  const clients: Client[] = [];
  const send: EngineWithDemo['send'] = ({ from, subject, body, inbox = INBOX, html }) => {
    const id = randomBytes(6).toString('hex');
    const now = new Date().toISOString();
    return demo.emit({
      inbox_id: inbox,
      thread_id: `thr_${id}`,
      message: {
        id: `msg_${id}`,
        from,
        to: 'agent@demo.openmail.sh',
        cc: [],
        subject,
        body_text: body,
        attachments: [],
        received_at: now,
        ...(html === undefined ? {} : { body_html: html }),
      },
    });
  };
  const harness: EngineWithDemo = {
    dir,
    dataDir,
    demo,
    apiKey,
    daemon,
    url: daemon.endpoint!.url,
    token: () => fs.readFileSync(daemon.endpoint!.tokenFile, 'utf8').trim(),
    send,
    mail: async (fields) => {
      const event = send(fields);
      const seq = await waitFor(() => daemon.events.seqOf(event.event_id), 5_000, `mail ${event.event_id} committed`);
      return { event, seq };
    },
    client: async (name = 'mailbridge-test', token = harness.token()) => {
      const client = new Client({ name, version: '1.0.0' });
      const transport = new StreamableHTTPClientTransport(new URL('/mcp', harness.url), {
        requestInit: { headers: { Authorization: `Bearer ${token}` } },
      });
      await client.connect(transport);
      clients.push(client);
      return client;
    },
    stop: async () => {
      await Promise.all(clients.map((client) => client.close().catch(() => {})));
      await daemon.stop();
      await demo.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}
