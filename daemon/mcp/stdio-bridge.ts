// `mailbridge mcp`: the MCP server an agent tool launches, over stdio. It declares the same tools and resources as
// the engine's `/mcp` and runs none of them itself: each call goes to the running engine's `/mcp` with the SDK's
// client, where the store, the hub and the one waiter are (so a wait here is as hub-driven as one over HTTP), with
// progress, cancellation and resource updates passed through. The engine is found through endpoint.json; when
// none runs, this says so on stderr and in every tool's answer, and connects on the next call once one does. A call
// is made again by itself only when that cannot send anything twice (mayCallAgain).
import fs from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import {
  type CallToolResult,
  ErrorCode,
  McpError,
  type ReadResourceResult,
  type Resource,
  ResourceListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { MCP_PATH } from '../../shared/local-api.ts';
import { findRunningEndpoint } from '../endpoint-client.ts';
import { errorMessage } from '../log.ts';
import { MAIL_URI_TEMPLATE, registerResources, type MailResources } from './resources.ts';
import { INSTRUCTIONS, serverInfo } from './server-info.ts';
import { registerTools, safeToRepeat, TOOL_NAMES, toolError, type ToolExtra, type ToolHandlers, type ToolName } from './tools.ts';

export interface StdioBridgeOptions {
  dataDir: string;
  /** A token other than the endpoint's own (the file holds it); null uses the endpoint's token file. */
  tokenFile: string | null;
  version: string;
  input: Readable;
  output: Writable;
  /** One line for the person who launched it (stderr): never the protocol's stdout. */
  log(line: string): void;
}

/**
 * With progress flowing (the engine reports every few seconds), a call is given up only after this long without
 * any word from the engine; a wait's own length never trips it.
 */
const SILENCE_LIMIT_MS = 30_000;

/** Serves until stdin ends. */
export async function serveStdio(options: StdioBridgeOptions): Promise<void> {
  const server = new McpServer(serverInfo(options.version), { instructions: INSTRUCTIONS });
  const link = new EngineLink(options, {
    updated: (uri) => {
      if (server.isConnected()) server.server.sendResourceUpdated({ uri }).catch(() => {});
    },
    listChanged: () => {
      if (server.isConnected()) server.sendResourceListChanged();
    },
  });
  registerTools(server, forwardingTools(link));
  registerResources(server, new ForwardedResources(link));
  const transport = new StdioServerTransport(options.input, options.output);
  const ended = new Promise<void>((resolve) => {
    options.input.once('end', resolve);
    options.input.once('close', resolve);
    transport.onclose = resolve;
  });
  await server.connect(transport);
  // Connecting at once starts the engine's session now, where a first `since: "unseen"` counts from.
  await link.client().catch(() => {});
  await ended;
  await server.close();
  await link.close();
}

/** One forwarding handler per declared tool: the engine's answer, unchanged, or a tool error saying what went wrong. */
function forwardingTools(link: EngineLink): ToolHandlers {
  const forward = (name: ToolName) => (args: unknown, extra: ToolExtra) => link.callTool(name, args as Record<string, unknown>, extra);
  return Object.fromEntries(TOOL_NAMES.map((name) => [name, forward(name)])) as ToolHandlers;
}

/**
 * Whether a call that failed may be made again on a fresh connection, without asking the agent. Any tool when the
 * engine cannot have run it: it did not know the session (404, it restarted) or the connection was refused (it is
 * elsewhere now). When the connection broke during the call the engine may have run it, so only a tool whose repeat
 * changes nothing more (tools.ts, safeToRepeat): never a send, which the agent calls again itself, and the engine
 * answers that repeat once (send-once.ts).
 */
export function mayCallAgain(name: ToolName, error: unknown): boolean {
  if (error instanceof StreamableHTTPError) return error.code === 404;
  if (!(error instanceof TypeError)) return false;
  return (error.cause as { code?: unknown } | undefined)?.code === 'ECONNREFUSED' || safeToRepeat(name);
}

interface LinkEvents {
  updated(uri: string): void;
  listChanged(): void;
}

class EngineUnavailable extends Error {}

/** The connection to the engine's `/mcp`: made on demand, dropped when it fails, made again on the next call. */
class EngineLink {
  readonly #options: StdioBridgeOptions;
  readonly #events: LinkEvents;
  readonly #subscriptions = new Set<string>();
  #connecting: Promise<Connection> | null = null;
  /** The connection #connecting resolved to, known at once (dropping one must not wait for a promise). */
  #connected: Connection | null = null;
  /** What was last said on stderr, so each change is said once. */
  #said: string | null = null;

  constructor(options: StdioBridgeOptions, events: LinkEvents) {
    this.#options = options;
    this.#events = events;
  }

  async client(): Promise<Client> {
    if (this.#connecting === null) {
      const connecting = this.#connect();
      this.#connecting = connecting;
      connecting.catch((error: unknown) => {
        if (this.#connecting === connecting) this.#connecting = null;
        this.#say(errorMessage(error));
      });
    }
    return (await this.#connecting).client;
  }

  async callTool(name: ToolName, args: Record<string, unknown>, extra: ToolExtra): Promise<CallToolResult> {
    for (let attempt = 1; ; attempt += 1) {
      let client: Client;
      try {
        client = await this.client();
      } catch (error) {
        return toolError(errorMessage(error));
      }
      const progressToken = extra._meta?.progressToken;
      try {
        const result = await client.callTool({ name, arguments: args }, undefined, {
          signal: extra.signal,
          timeout: SILENCE_LIMIT_MS,
          resetTimeoutOnProgress: true,
          // Asked for always, so the engine's progress keeps the call alive; passed on only if our client asked.
          onprogress: (progress) => {
            if (progressToken === undefined) return;
            extra.sendNotification({ method: 'notifications/progress', params: { ...progress, progressToken } }).catch(() => {});
          },
        });
        return result as CallToolResult;
      } catch (error) {
        if (extra.signal.aborted) throw error;
        this.#drop(client);
        // The engine restarted since we connected (it is elsewhere now, or does not know our session): once more,
        // afresh, when that cannot make anything happen twice.
        if (attempt === 1 && mayCallAgain(name, error)) continue;
        if (safeToRepeat(name)) return toolError(`the call to Mailbridge failed (${errorMessage(error)}); call again`);
        return toolError(
          `the call to Mailbridge broke off (${errorMessage(error)}), so ${name} may or may not have been done. Call again ` +
            'with the same arguments: an identical call within 10 minutes is answered with the earlier one\'s outcome, or goes with its Idempotency-Key.',
        );
      }
    }
  }

  async request<T>(use: (client: Client) => Promise<T>): Promise<T> {
    let client: Client;
    try {
      client = await this.client();
    } catch (error) {
      throw new McpError(ErrorCode.InternalError, errorMessage(error));
    }
    try {
      return await use(client);
    } catch (error) {
      if (!(error instanceof McpError)) this.#drop(client);
      throw error;
    }
  }

  async subscribe(uri: string): Promise<void> {
    this.#subscriptions.add(uri);
    await this.request((client) => client.subscribeResource({ uri }));
  }

  async unsubscribe(uri: string): Promise<void> {
    this.#subscriptions.delete(uri);
    await this.request((client) => client.unsubscribeResource({ uri }));
  }

  /** Ends the engine's session too, rather than leaving it to expire. */
  async close(): Promise<void> {
    const connection = this.#connecting === null ? null : await this.#connecting.catch(() => null);
    this.#connecting = null;
    this.#connected = null;
    if (connection === null) return;
    await connection.transport.terminateSession().catch(() => {});
    await connection.client.close().catch(() => {});
  }

  async #connect(): Promise<Connection> {
    const { dataDir, tokenFile } = this.#options;
    const running = findRunningEndpoint(dataDir);
    if (running === null) {
      throw new EngineUnavailable(
        `Mailbridge is not running for the data dir ${dataDir}: start it (\`mailbridge run\`, or the tray app), then call again`,
      );
    }
    const token = tokenFile === null ? running.token : readToken(tokenFile);
    const client = new Client({ name: 'mailbridge-mcp', version: this.#options.version });
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => this.#events.updated(notification.params.uri));
    client.setNotificationHandler(ResourceListChangedNotificationSchema, () => this.#events.listChanged());
    const url = new URL(MCP_PATH, running.info.url);
    const transport = new StreamableHTTPClientTransport(url, { requestInit: { headers: { Authorization: `Bearer ${token}` } } });
    try {
      await client.connect(transport);
    } catch (error) {
      await client.close().catch(() => {});
      if (error instanceof StreamableHTTPError && error.code === 401) {
        throw new EngineUnavailable(`Mailbridge at ${running.info.url} refused the token${tokenFile === null ? '' : ` in ${tokenFile}`}: it was rotated or revoked`);
      }
      throw new EngineUnavailable(`Mailbridge at ${running.info.url} cannot be reached (${errorMessage(error)}): is it still running?`);
    }
    const connection = { client, transport };
    this.#connected = connection;
    // A connection that closes (the engine stopped) is made again on the next call.
    client.onclose = () => this.#forget(client);
    for (const uri of this.#subscriptions) await client.subscribeResource({ uri });
    this.#say(`connected to Mailbridge at ${running.info.url}`);
    return connection;
  }

  #forget(client: Client): void {
    if (this.#connected?.client !== client) return;
    this.#connected = null;
    this.#connecting = null;
  }

  #drop(client: Client): void {
    this.#forget(client);
    client.close().catch(() => {});
  }

  #say(line: string): void {
    if (line === this.#said) return;
    this.#said = line;
    this.#options.log(line);
  }
}

interface Connection {
  client: Client;
  transport: StreamableHTTPClientTransport;
}

/** The resources, read from the engine; a subscription is kept here too, so a new connection renews it. */
class ForwardedResources implements MailResources {
  readonly #link: EngineLink;

  constructor(link: EngineLink) {
    this.#link = link;
  }

  async list(): Promise<Resource[]> {
    const { resources } = await this.#link.request((client) => client.listResources());
    // The engine's listing holds the fixed resources too; this server declares those itself.
    const single = new RegExp(`^${MAIL_URI_TEMPLATE.replace('{seq}', '\\d+')}$`);
    return resources.filter((resource) => single.test(resource.uri));
  }

  read(uri: string): Promise<ReadResourceResult> {
    return this.#link.request((client) => client.readResource({ uri }));
  }

  subscribe(uri: string): Promise<void> {
    return this.#link.subscribe(uri);
  }

  unsubscribe(uri: string): Promise<void> {
    return this.#link.unsubscribe(uri);
  }
}

function readToken(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new EngineUnavailable(`cannot read the token file ${file}: ${errorMessage(error)}`);
  }
}
