// `/mcp` on the loopback endpoint: the SDK's Streamable HTTP transport, one MCP server per session. The request
// pipeline has already checked Host, Origin and the token (dispatch.ts), and says who is asking; a session belongs
// to that principal alone. Sessions are bounded in number, end after a while without any request or open stream,
// and all end when the engine stops. Loaded on the first `/mcp` request, so an engine nobody asks over MCP never
// loads the SDK.
import { randomUUID } from 'node:crypto';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Principal } from '../../shared/principal.ts';
import { systemTimers, type TimerHandle, type Timers } from '../clock.ts';
import type { RouteRequest } from '../local-api/context.ts';
import { badRequest, HttpError, readBody } from '../local-api/http-json.ts';
import { createEngineMcpServer, type EngineMcpServer, type McpEngineDeps } from './engine-server.ts';

export interface McpHttpLimits {
  maxSessions: number;
  /** A session with no request in flight and no stream open for this long is ended. */
  idleMs: number;
}

export const DEFAULT_MCP_HTTP_LIMITS: McpHttpLimits = { maxSessions: 32, idleMs: 30 * 60_000 };

const SESSION_HEADER = 'mcp-session-id';
/** How long close() lets calls that were just answered (waits ended by the stop) reach their clients. */
const ANSWER_GRACE_MS = 500;

interface Session {
  id: string;
  principal: Principal;
  mcp: EngineMcpServer;
  transport: StreamableHTTPServerTransport;
  /** Requests in flight, open streams included. */
  open: number;
  lastActive: number;
}

export class McpHttpEndpoint {
  readonly #deps: McpEngineDeps;
  readonly #limits: McpHttpLimits;
  readonly #timers: Timers;
  readonly #sessions = new Map<string, Session>();
  /** POSTs whose answers are still on their way: a stop lets them out before ending the sessions. */
  readonly #answering = new Set<RouteRequest['res']>();
  /** Sessions being created: counted against the bound before their id exists. */
  #starting = 0;
  #sweep: TimerHandle | null = null;
  #closed = false;

  constructor(deps: McpEngineDeps, limits: McpHttpLimits = DEFAULT_MCP_HTTP_LIMITS, timers: Timers = systemTimers) {
    this.#deps = deps;
    this.#limits = limits;
    this.#timers = timers;
  }

  get sessionCount(): number {
    return this.#sessions.size;
  }

  /** Requests in flight and streams open, over all sessions: what keeps sessions from expiring. */
  get openRequests(): number {
    let open = 0;
    for (const session of this.#sessions.values()) open += session.open;
    return open;
  }

  async handle({ req, res, principal }: RouteRequest): Promise<void> {
    if (this.#closed) throw new HttpError(503, 'internal', 'Mailbridge is stopping');
    const sessionId = req.headers[SESSION_HEADER];
    const body = req.method === 'POST' ? await jsonBody(req) : undefined;
    if (typeof sessionId === 'string') {
      const session = this.#sessions.get(sessionId);
      // Another token's session is as unknown to this one as an ended session.
      if (session === undefined || session.principal.name !== principal.name) {
        throw new HttpError(404, 'not_found', 'no such MCP session (it ended or expired): start a new one with initialize');
      }
      await this.#serve(session, req, res, body);
      return;
    }
    if (req.method !== 'POST') throw badRequest(`${req.method} /mcp needs the Mcp-Session-Id header that initialize answered with`);
    if (!isInitializeRequest(body)) throw badRequest('start an MCP session with an initialize request (without Mcp-Session-Id)');
    if (this.#sessions.size + this.#starting >= this.#limits.maxSessions) {
      throw new HttpError(429, 'too_many_requests', `at most ${this.#limits.maxSessions} MCP sessions at once: end one (DELETE /mcp) or wait for idle ones to expire`);
    }
    this.#starting += 1;
    let session: Session | null = null;
    try {
      session = await this.#open(principal);
    } finally {
      this.#starting -= 1;
    }
    await this.#serve(session, req, res, body);
  }

  /** Ends every session (their streams with them), once answers already given have gone out or a grace has passed. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#sweep !== null) this.#timers.clearTimeout(this.#sweep);
    this.#sweep = null;
    const answered = Promise.all([...this.#answering].map((res) => new Promise((resolve) => res.once('close', resolve))));
    let grace: TimerHandle | undefined;
    await Promise.race([answered, new Promise((resolve) => (grace = this.#timers.setTimeout(() => resolve(null), ANSWER_GRACE_MS)))]);
    if (grace !== undefined) this.#timers.clearTimeout(grace);
    await Promise.all([...this.#sessions.values()].map((session) => this.#end(session)));
  }

  async #open(principal: Principal): Promise<Session> {
    const mcp = createEngineMcpServer(this.#deps, { principal, startSeq: this.#deps.events.latestSeq() });
    // The transport's callbacks run only once it handles a request, by when the session exists.
    let session!: Session;
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        session.id = id;
        this.#sessions.set(id, session);
        this.#armSweep();
      },
    });
    session = { id: '', principal, mcp, transport, open: 0, lastActive: this.#timers.now() };
    transport.onclose = () => this.#forget(session);
    await mcp.server.connect(session.transport);
    return session;
  }

  async #serve(session: Session, req: RouteRequest['req'], res: RouteRequest['res'], body: unknown): Promise<void> {
    session.open += 1;
    session.lastActive = this.#timers.now();
    if (req.method === 'POST') this.#answering.add(res);
    res.once('close', () => {
      session.open -= 1;
      session.lastActive = this.#timers.now();
      this.#answering.delete(res);
    });
    await session.transport.handleRequest(req, res, body);
    // An initialize the transport refused leaves a server that no session id will ever reach.
    if (session.id === '') await this.#end(session);
  }

  #forget(session: Session): void {
    session.mcp.dispose();
    if (this.#sessions.get(session.id) === session) this.#sessions.delete(session.id);
  }

  async #end(session: Session): Promise<void> {
    this.#forget(session);
    await session.mcp.server.close();
  }

  #armSweep(): void {
    if (this.#sweep !== null || this.#closed) return;
    const every = Math.max(1_000, Math.floor(this.#limits.idleMs / 4));
    const sweep = (): void => {
      this.#sweep = null;
      const now = this.#timers.now();
      for (const session of [...this.#sessions.values()]) {
        if (session.open === 0 && now - session.lastActive >= this.#limits.idleMs) void this.#end(session);
      }
      if (this.#sessions.size > 0 && !this.#closed) this.#sweep = this.#timers.setTimeout(sweep, every);
    };
    this.#sweep = this.#timers.setTimeout(sweep, every);
  }
}

/** The body under the API's size cap, parsed: the transport then trusts it as given. */
async function jsonBody(req: RouteRequest['req']): Promise<unknown> {
  const raw = await readBody(req);
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw badRequest('the request body is not valid JSON');
  }
}
