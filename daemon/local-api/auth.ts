// Who may talk to the local endpoint, and who they are. Pure: the server feeds in what it saw and how to look an
// agent token up, and gets back the principal, or the refusal.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { ApiErrorCode } from '../../shared/local-api.ts';
import { API_PREFIX, MCP_PATH } from '../../shared/local-api.ts';
import { OWNER, type Principal } from '../../shared/principal.ts';

/** TCP needs the token; the Unix socket sits in a 0700 directory and does not; a Windows pipe is open to all local users, so it does. */
export type Transport = 'tcp' | 'unix' | 'pipe';

export interface RequestFacts {
  transport: Transport;
  /** Our TCP port: the only one a legitimate Host or Origin names. */
  port: number;
  method: string;
  pathname: string;
  headers: IncomingHttpHeaders;
  /** The `token` query parameter, if any. */
  queryToken: string | null;
  upgrade: boolean;
}

export interface Refusal {
  status: 401 | 403;
  code: ApiErrorCode;
  message: string;
}

const LOOPBACK_HOST = /^(127\.0\.0\.1|localhost|\[::1\])(?::(\d{1,5}))?$/;
const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;
const STREAM_PATH = `${API_PREFIX}/stream`;

/**
 * A rebinding attack reaches us under the attacker's host name, so only loopback names with our port pass.
 * Browsers omit the default port, hence the port-80 case.
 */
export function isLoopbackHost(host: string | undefined, port: number): boolean {
  if (host === undefined) return false;
  const match = LOOPBACK_HOST.exec(host.toLowerCase());
  if (match === null) return false;
  return match[2] === undefined ? port === 80 : Number(match[2]) === port;
}

/** Requests without Origin (curl, agents) are fine; a browser may only come from our own dashboard. */
export function isAllowedOrigin(origin: string | undefined, port: number): boolean {
  if (origin === undefined) return true;
  const value = origin.toLowerCase();
  return value === `http://127.0.0.1:${port}` || value === `http://localhost:${port}`;
}

export function bearerToken(authorization: string | undefined): string | null {
  if (authorization === undefined) return null;
  return BEARER.exec(authorization)?.[1] ?? null;
}

/** Constant time whatever the lengths: both sides are hashed to 32 bytes before the comparison. */
export function tokenMatches(presented: string, expected: string): boolean {
  const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

/** Only WebSocket upgrades and EventSource (which cannot set headers) may carry the token in the URL. */
export function acceptsQueryToken(method: string, pathname: string, upgrade: boolean): boolean {
  return upgrade || (method === 'GET' && pathname === STREAM_PATH);
}

/** The API and the MCP server need the token; the dashboard's static files do not (the page reads its token from the URL fragment). */
export function needsToken(pathname: string): boolean {
  return pathname === API_PREFIX || pathname.startsWith(`${API_PREFIX}/`) || pathname === MCP_PATH;
}

export interface Credentials {
  /** The endpoint token: whoever holds it (or the Unix socket) is the owner. */
  ownerToken: string;
  /** An agent token's principal; null when the token is unknown or revoked. */
  agent(presented: string): Principal | null;
}

/** Who is asking, or why not. The dashboard's files need no token: their principal is null. */
export type Admission = { principal: Principal | null } | { refusal: Refusal };

export function admitRequest(facts: RequestFacts, credentials: Credentials): Admission {
  if (facts.transport === 'tcp' && !isLoopbackHost(facts.headers.host, facts.port)) {
    return { refusal: { status: 403, code: 'forbidden', message: 'the Host header must be 127.0.0.1, localhost or [::1] with this port' } };
  }
  if (!isAllowedOrigin(facts.headers.origin, facts.port)) {
    return { refusal: { status: 403, code: 'forbidden', message: 'requests from other web origins are refused' } };
  }
  if (!needsToken(facts.pathname)) return { principal: null };
  if (facts.transport === 'unix') return { principal: OWNER };
  const fromHeader = bearerToken(facts.headers.authorization);
  const fromQuery = acceptsQueryToken(facts.method, facts.pathname, facts.upgrade) ? facts.queryToken : null;
  const presented = fromHeader ?? fromQuery;
  if (presented === null) {
    return {
      refusal: {
        status: 401,
        code: 'unauthorized',
        message:
          'missing token: send "Authorization: Bearer <token>" (the token file is named in endpoint.json); ' +
          '?token= is accepted only on /v1/stream and WebSocket upgrades',
      },
    };
  }
  if (tokenMatches(presented, credentials.ownerToken)) return { principal: OWNER };
  const agent = credentials.agent(presented);
  if (agent !== null) return { principal: agent };
  return { refusal: { status: 401, code: 'unauthorized', message: 'invalid token: it is not the endpoint token, nor an agent token in force (revoked?)' } };
}
