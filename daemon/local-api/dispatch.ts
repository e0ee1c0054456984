// One request pipeline for every transport: limits, then Host/Origin/token (which say who is asking), then the
// route or the dashboard files, each route's declared access checked here and nowhere else, with every failure
// turned into a JSON error. Nothing a client sends escapes as an exception.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { CodedError } from '../../shared/errors.ts';
import type { Access, Principal } from '../../shared/principal.ts';
import { accessRefusal } from '../access/route-access.ts';
import type { Admission, Refusal, RequestFacts, Transport } from './auth.ts';
import { admitRequest } from './auth.ts';
import type { LocalApiContext, LocalRoute } from './context.ts';
import { badRequest, declaresTooLarge, HttpError, notFound, payloadTooLarge, rawErrorResponse, sendError } from './http-json.ts';
import { MAX_BODY_BYTES, MAX_URL_LENGTH } from './limits.ts';
import { resolveRoute } from './router.ts';
import { serveStatic } from './static.ts';

export interface DispatchOptions {
  ctx: LocalApiContext;
  /** Every route served, fixed at start. */
  routes: readonly LocalRoute[];
  dashboardDir: string | null;
  /** Read per request: the port is known only after listening, and the token may be rotated. */
  port(): number;
  token(): string;
}

export interface Dispatcher {
  request(transport: Transport): (req: IncomingMessage, res: ServerResponse) => void;
  upgrade(transport: Transport): (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
}

// Only a URL base for parsing; the Host header is checked separately.
const URL_BASE = 'http://127.0.0.1';

/** The request target as a URL, after the length limit the parser does not enforce (header count and size it does). */
function requestUrl(req: IncomingMessage): URL {
  const target = req.url ?? '';
  if (target.length > MAX_URL_LENGTH) throw new HttpError(414, 'bad_request', `the URL is longer than ${MAX_URL_LENGTH} bytes`);
  // Absolute-form targets ("GET http://other/...") are for proxies; this is not one.
  if (!target.startsWith('/')) throw badRequest('the request target must be a path');
  // Concatenated, not resolved against a base: "//other/path" must stay a path, not become a host.
  return new URL(`${URL_BASE}${target}`);
}

function refusalError(refusal: Refusal): HttpError {
  return new HttpError(refusal.status, refusal.code, refusal.message, refusal.status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {});
}

/** The principal behind an admitted request, or the HTTP error of a refused one. */
function admitted(admission: Admission): Principal | null {
  if ('refusal' in admission) throw refusalError(admission.refusal);
  return admission.principal;
}

/** The route's declared access, enforced: a principal without it gets a 403 that says what it lacks. */
function requireAccess(access: Access, principal: Principal, what: string): void {
  const refusal = accessRefusal(access, principal, what);
  if (refusal !== null) throw new HttpError(403, 'forbidden', refusal);
}

/** A client that waits for `100 Continue` gets it only once its request is known to be allowed and small enough. */
function answerExpectContinue(req: IncomingMessage, res: ServerResponse, route: LocalRoute): void {
  if (req.headers.expect?.toLowerCase() !== '100-continue') return;
  const limit = route.bodyLimit ?? MAX_BODY_BYTES;
  if (declaresTooLarge(req, limit)) throw payloadTooLarge(limit);
  res.writeContinue();
}

export function createDispatcher(options: DispatchOptions): Dispatcher {
  const { ctx, routes, dashboardDir } = options;
  const report = ctx.onError;

  const agent = (presented: string): Principal | null => ctx.agents.resolve(presented);

  function facts(req: IncomingMessage, url: URL, transport: Transport, upgrade: boolean): RequestFacts {
    return {
      transport,
      port: options.port(),
      method: req.method ?? '',
      pathname: url.pathname,
      headers: req.headers,
      queryToken: url.searchParams.get('token'),
      upgrade,
    };
  }

  function asHttpError(error: unknown): HttpError {
    if (error instanceof HttpError) return error;
    if (error instanceof CodedError) return new HttpError(error.status, error.code, error.message);
    report(error);
    return new HttpError(500, 'internal', 'internal error');
  }

  async function handle(req: IncomingMessage, res: ServerResponse, transport: Transport): Promise<void> {
    const url = requestUrl(req);
    const principal = admitted(admitRequest(facts(req, url, transport, false), { ownerToken: options.token(), agent }));
    if (principal === null) {
      await serveStatic(req, res, url.pathname, dashboardDir);
      return;
    }
    const method = req.method ?? '';
    const resolution = resolveRoute(routes, method, url.pathname);
    if (resolution.kind === 'none') {
      if (ctx.upgrades?.has(url.pathname) === true) {
        throw new HttpError(426, 'bad_request', `${url.pathname} speaks WebSocket: send an Upgrade request`, { Upgrade: 'websocket' });
      }
      throw notFound(`no route for ${method} ${url.pathname}`);
    }
    if (resolution.kind === 'wrong_method') {
      throw new HttpError(405, 'method_not_allowed', `${method} is not allowed on ${url.pathname}`, {
        Allow: resolution.allow.join(', '),
      });
    }
    const { route, params } = resolution;
    requireAccess(route.access, principal, `${route.method} ${route.path}`);
    answerExpectContinue(req, res, route);
    await route.handle({ req, res, url, params, principal });
  }

  return {
    request: (transport) => (req, res) => {
      handle(req, res, transport).catch((error: unknown) => {
        const failure = asHttpError(error);
        // Once a stream has started, the only honest signal left is to cut it.
        if (res.headersSent) res.destroy();
        else sendError(res, failure);
      });
    },
    upgrade: (transport) => (req, socket, head) => {
      // Until a handler takes the socket over, a reset from the client must not become an uncaught error.
      socket.on('error', () => socket.destroy());
      try {
        const url = requestUrl(req);
        const principal = admitted(admitRequest(facts(req, url, transport, true), { ownerToken: options.token(), agent }));
        const upgrade = ctx.upgrades?.get(url.pathname);
        if (principal === null || upgrade === undefined) throw notFound(`no WebSocket endpoint at ${url.pathname}`);
        requireAccess(upgrade.access, principal, `the WebSocket at ${url.pathname}`);
        upgrade.handle(req, socket, head, principal);
      } catch (error) {
        const failure = asHttpError(error);
        if (socket.writable) socket.end(rawErrorResponse(failure.status, failure.code, failure.message));
        else socket.destroy();
      }
    },
  };
}
