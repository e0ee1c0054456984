// The loopback HTTP server: 127.0.0.1 only, plus the same handler on a Unix socket (or Windows pipe).
// Starting writes endpoint.json for discovery; closing answers parked requests, ends streams and removes it.
import http from 'node:http';
import type { Socket } from 'node:net';
import type { TokenRotateResponse } from '../../shared/local-api.ts';
import type { EndpointClients, EndpointInfo } from '../../shared/status.ts';
import type { Transport } from './auth.ts';
import type { LocalApiContext, LocalRoute } from './context.ts';
import type { Dispatcher } from './dispatch.ts';
import { createDispatcher } from './dispatch.ts';
import { removeEndpointFile, writeEndpointFile } from './endpoint-file.ts';
import { HttpError, rawErrorResponse } from './http-json.ts';
import {
  HEADERS_TIMEOUT_MS,
  MAX_CONNECTIONS,
  MAX_HEADER_BYTES,
  MAX_HEADER_COUNT,
  REQUEST_TIMEOUT_MS,
} from './limits.ts';
import { listen, listenLocal, localSocketFor } from './local-socket.ts';
import { LongPolls } from './long-poll.ts';
import { attachmentsRoute } from './routes/attachments.ts';
import { consumersRoutes } from './routes/consumers.ts';
import { controlRoutes } from './routes/control.ts';
import { eventsRoutes } from './routes/events.ts';
import { proxyRoutes } from './routes/proxy.ts';
import { mcpRoutes, type McpRoutes } from './routes/mcp.ts';
import { streamRoute } from './routes/stream.ts';
import { tokenRoute } from './routes/token.ts';
import { waitRoute } from './routes/wait.ts';
import { MailWaiter } from '../wait/waiter.ts';
import { SseStreams } from './sse.ts';
import { loadToken, rotateToken, tokenFile } from './token.ts';

export const LOOPBACK = '127.0.0.1';
/** How long close() lets clients read their last answer before cutting what is still open. */
const CLOSE_GRACE_MS = 500;

export interface LocalApiOptions {
  /** 0 picks a free port. */
  port: number;
  /** Directory for `mailbridge.sock` (a named pipe on Windows); null disables the local socket. */
  socketDir: string | null;
  /** The built dashboard; null (or missing) serves a "not built" page at `/`. */
  dashboardDir: string | null;
}

export interface LocalApi {
  readonly url: string;
  readonly port: number;
  readonly socketPath: string | null;
  readonly tokenFile: string;
  /** What endpoint.json says, for the status snapshot. */
  readonly endpoint: EndpointInfo;
  /** Every route served (besides the upgrade paths), fixed at start. */
  readonly routes: readonly LocalRoute[];
  /** The dashboard with the token in the fragment (never sent to the server, kept out of logs and history). */
  dashboardUrl(): string;
  /** What is open right now (status adds the WebSocket clients, which the upgrade handler holds). */
  clients(): Omit<EndpointClients, 'webSockets'>;
  close(): Promise<void>;
}

/** What the routes need besides the context: the parked long-polls, the SSE streams and token rotation. */
export interface RouteParts {
  polls: LongPolls;
  streams: SseStreams;
  rotateToken(): TokenRotateResponse;
  // Waiting for mail: the one waiter, and the MCP server whose tools use it.
  waiter: MailWaiter;
  mcp: McpRoutes;
}

/**
 * Every route the server serves: the agents' event log, named consumers, the control calls, token rotation, the
 * REST proxy and kept attachments.
 */
export function localApiRoutes(ctx: LocalApiContext, parts: RouteParts): LocalRoute[] {
  return [
    ...eventsRoutes(ctx, parts.polls),
    streamRoute(parts.streams),
    ...consumersRoutes(ctx),
    ...controlRoutes(ctx.control),
    tokenRoute(parts.rotateToken),
    ...proxyRoutes(ctx.proxy),
    waitRoute(ctx, parts.waiter),
    ...parts.mcp.routes,
    attachmentsRoute(ctx.attachments),
  ];
}

export class PortInUseError extends Error {
  readonly code = 'EADDRINUSE';
  readonly port: number;

  constructor(port: number) {
    super(
      `port ${port} on ${LOOPBACK} is already in use (is another Mailbridge running?): ` +
        'choose another with --port <n>, or --port 0 for a free one',
    );
    this.name = 'PortInUseError';
    this.port = port;
  }
}

export async function startLocalApi(ctx: LocalApiContext, opts: LocalApiOptions): Promise<LocalApi> {
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) {
    throw new RangeError(`port must be an integer from 0 to 65535, got ${opts.port}`);
  }
  let token = loadToken(ctx.dataDir);
  let port = 0;
  const polls = new LongPolls(ctx.hub);
  const streams = new SseStreams(ctx.hub, ctx.events);
  const waiter = new MailWaiter({ events: ctx.events, hub: ctx.hub, consumers: ctx.consumers });
  const mcp = mcpRoutes(ctx, waiter);
  const routes = localApiRoutes(ctx, {
    polls,
    streams,
    waiter,
    mcp,
    // Rotating through the running endpoint swaps the token it checks at once.
    rotateToken: () => {
      token = rotateToken(ctx.dataDir);
      return { rotated: true, token_file: tokenFile(ctx.dataDir) };
    },
  });
  const dispatcher = createDispatcher({
    ctx,
    routes,
    dashboardDir: opts.dashboardDir,
    port: () => port,
    token: () => token,
  });
  // A revoked token's waiting requests get their 401 now, and its streams end (a reconnect gets the 401).
  const stopRevocations = ctx.agents.onRevoked((name) => {
    polls.refuse(name, new HttpError(401, 'unauthorized', `the token "${name}" was revoked`, { 'WWW-Authenticate': 'Bearer' }));
    streams.end(name);
  });
  const connections = new Set<Socket>();
  const servers: http.Server[] = [];
  const stopServers = async (): Promise<void> => {
    stopRevocations();
    polls.close();
    streams.close();
    // Waits end first, so their callers are answered before the MCP sessions close.
    waiter.close();
    await mcp.close();
    await closeServers(servers, connections);
  };

  try {
    const tcp = createServer(dispatcher, 'tcp', connections);
    servers.push(tcp);
    await listenTcp(tcp, opts.port);
    port = (tcp.address() as { port: number }).port;
    let socketPath: string | null = null;
    if (opts.socketDir !== null) {
      const local = localSocketFor(opts.socketDir, ctx.dataDir);
      const server = createServer(dispatcher, local.transport, connections);
      servers.push(server);
      await listenLocal(server, local);
      socketPath = local.path;
    }
    for (const server of servers) server.on('error', ctx.onError);

    const url = `http://${LOOPBACK}:${port}`;
    const endpoint: EndpointInfo = { url, socket: socketPath, token_file: tokenFile(ctx.dataDir), pid: process.pid, version: ctx.version };
    writeEndpointFile(ctx.dataDir, endpoint);
    let closing: Promise<void> | null = null;
    return {
      url,
      port,
      socketPath,
      tokenFile: endpoint.token_file,
      endpoint,
      routes,
      dashboardUrl: () => `${url}/#token=${token}`,
      clients: () => ({ connections: connections.size, longPolls: polls.size, streams: streams.size }),
      close: () => {
        closing ??= (async () => {
          // Discovery goes first, so nobody is sent to an endpoint that is going away.
          removeEndpointFile(ctx.dataDir);
          await stopServers();
        })();
        return closing;
      },
    };
  } catch (error) {
    await stopServers();
    throw error;
  }
}

function createServer(dispatcher: Dispatcher, transport: Transport, connections: Set<Socket>): http.Server {
  const onRequest = dispatcher.request(transport);
  const server = http.createServer(
    {
      maxHeaderSize: MAX_HEADER_BYTES,
      headersTimeout: HEADERS_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      // Node checks those timeouts only this often (30 s by default), which lets a slow client hold a socket ~3x longer.
      connectionsCheckingInterval: 1_000,
      // A missing Host gets our own JSON 403 from the auth check rather than Node's bare 400.
      requireHostHeader: false,
      noDelay: true,
    },
    onRequest,
  );
  // Past this the parser fails with HPE_HEADER_OVERFLOW, answered below as 431.
  server.maxHeadersCount = MAX_HEADER_COUNT;
  server.maxConnections = MAX_CONNECTIONS;
  // The pipeline answers `Expect: 100-continue` once it knows the route and who asks: an oversized body is
  // refused before the client sends it, and a refused client never gets the go-ahead.
  server.on('checkContinue', onRequest);
  server.on('upgrade', dispatcher.upgrade(transport));
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const message =
      status === 431 ? 'the request headers are too large' : status === 408 ? 'the request took too long to arrive' : 'malformed HTTP request';
    socket.end(rawErrorResponse(status, 'bad_request', message));
  });
  server.on('connection', (socket: Socket) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
  });
  return server;
}

async function listenTcp(server: http.Server, port: number): Promise<void> {
  try {
    await listen(server, { host: LOOPBACK, port });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new PortInUseError(port);
    throw error;
  }
}

/** Stops accepting, lets every open connection take its last answer, then cuts whatever is left. */
async function closeServers(servers: readonly http.Server[], connections: Set<Socket>): Promise<void> {
  const stopped = Promise.all(
    servers.filter((server) => server.listening).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
  );
  const open = [...connections];
  const allClosed = Promise.all(open.map((socket) => new Promise<void>((resolve) => socket.once('close', () => resolve()))));
  for (const socket of open) socket.end();
  let grace: NodeJS.Timeout | undefined;
  await Promise.race([allClosed, new Promise<void>((resolve) => (grace = setTimeout(resolve, CLOSE_GRACE_MS)))]);
  clearTimeout(grace);
  for (const socket of connections) socket.destroy();
  await stopped;
}
