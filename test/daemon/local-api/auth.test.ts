import { describe, expect, it } from 'vitest';
import { OWNER, type Principal } from '../../../shared/principal.ts';
import type { Credentials, Refusal, RequestFacts } from '../../../daemon/local-api/auth.ts';
import {
  acceptsQueryToken,
  admitRequest,
  bearerToken,
  isAllowedOrigin,
  isLoopbackHost,
  needsToken,
  tokenMatches,
} from '../../../daemon/local-api/auth.ts';

const TOKEN = 'a'.repeat(64);
const PORT = 4319;

function facts(overrides: Partial<RequestFacts> = {}): RequestFacts {
  return {
    transport: 'tcp',
    port: PORT,
    method: 'GET',
    pathname: '/v1/events',
    headers: { host: `127.0.0.1:${PORT}`, authorization: `Bearer ${TOKEN}` },
    queryToken: null,
    upgrade: false,
    ...overrides,
  };
}

describe('isLoopbackHost', () => {
  it('accepts loopback names with our port only', () => {
    for (const host of [`127.0.0.1:${PORT}`, `localhost:${PORT}`, `LOCALHOST:${PORT}`, `[::1]:${PORT}`]) {
      expect(isLoopbackHost(host, PORT), host).toBe(true);
    }
    for (const host of [undefined, '', 'evil.example', `evil.example:${PORT}`, `127.0.0.1:${PORT + 1}`, '127.0.0.1', `127.0.0.2:${PORT}`,
      `localhost.evil.example:${PORT}`, `127.0.0.1.nip.io:${PORT}`, `127.0.0.1:${PORT}@evil`, `0.0.0.0:${PORT}`]) {
      expect(isLoopbackHost(host, PORT), String(host)).toBe(false);
    }
  });

  it('accepts a port-less loopback Host only when we are on port 80', () => {
    expect(isLoopbackHost('localhost', 80)).toBe(true);
    expect(isLoopbackHost('localhost', PORT)).toBe(false);
  });
});

describe('isAllowedOrigin', () => {
  it('allows no Origin and our own, refuses everything else', () => {
    expect(isAllowedOrigin(undefined, PORT)).toBe(true);
    expect(isAllowedOrigin(`http://127.0.0.1:${PORT}`, PORT)).toBe(true);
    expect(isAllowedOrigin(`http://localhost:${PORT}`, PORT)).toBe(true);
    for (const origin of ['null', 'http://evil.example', `http://127.0.0.1:${PORT + 1}`, `https://127.0.0.1:${PORT}`, `http://127.0.0.1:${PORT}, http://evil.example`, 'file://']) {
      expect(isAllowedOrigin(origin, PORT), origin).toBe(false);
    }
  });
});

describe('tokens', () => {
  it('parses Bearer credentials only', () => {
    expect(bearerToken(`Bearer ${TOKEN}`)).toBe(TOKEN);
    expect(bearerToken(`bearer  ${TOKEN} `)).toBe(TOKEN);
    expect(bearerToken(TOKEN)).toBeNull();
    expect(bearerToken(`Basic ${TOKEN}`)).toBeNull();
    expect(bearerToken('Bearer a b')).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
  });

  it('compares tokens exactly, whatever their lengths', () => {
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
    expect(tokenMatches(TOKEN.slice(1), TOKEN)).toBe(false);
    expect(tokenMatches(`${TOKEN}a`, TOKEN)).toBe(false);
    expect(tokenMatches('', TOKEN)).toBe(false);
    expect(tokenMatches('b'.repeat(64), TOKEN)).toBe(false);
  });

  it('takes ?token= only on WebSocket upgrades and the SSE stream', () => {
    expect(acceptsQueryToken('GET', '/v1/stream', false)).toBe(true);
    expect(acceptsQueryToken('GET', '/v1/ws', true)).toBe(true);
    expect(acceptsQueryToken('GET', '/v1/events', false)).toBe(false);
    expect(acceptsQueryToken('POST', '/v1/stream', false)).toBe(false);
  });

  it('guards the API but not the dashboard files', () => {
    expect(needsToken('/v1')).toBe(true);
    expect(needsToken('/v1/status')).toBe(true);
    expect(needsToken('/')).toBe(false);
    expect(needsToken('/assets/app.js')).toBe(false);
    expect(needsToken('/v10')).toBe(false);
  });
});

const AGENT: Principal = { name: 'mailer', owner: false, scopes: ['read', 'send'], inboxIds: ['inb_a'], allowSenders: [] };
const AGENT_TOKEN = 'mbt_agent';
const credentials: Credentials = { ownerToken: TOKEN, agent: (presented) => (presented === AGENT_TOKEN ? AGENT : null) };

function refusalOf(request: RequestFacts): Refusal | null {
  const admission = admitRequest(request, credentials);
  return 'refusal' in admission ? admission.refusal : null;
}

function principalOf(request: RequestFacts): Principal | null {
  const admission = admitRequest(request, credentials);
  if ('refusal' in admission) throw new Error(`refused: ${admission.refusal.message}`);
  return admission.principal;
}

describe('admitRequest', () => {
  it('passes a well-formed local request as the owner', () => {
    expect(principalOf(facts())).toBe(OWNER);
  });

  it('refuses in order: Host, then Origin, then the token', () => {
    expect(refusalOf(facts({ headers: { host: 'evil.example' } }))?.status).toBe(403);
    expect(refusalOf(facts({ headers: { host: `localhost:${PORT}`, origin: 'http://evil.example', authorization: `Bearer ${TOKEN}` } }))?.status).toBe(403);
    expect(refusalOf(facts({ headers: { host: `localhost:${PORT}` } }))).toMatchObject({ status: 401, code: 'unauthorized' });
    expect(refusalOf(facts({ headers: { host: `localhost:${PORT}`, authorization: 'Bearer wrong' } }))?.status).toBe(401);
  });

  it('resolves an agent token to its principal, and refuses one that is unknown or revoked with 401', () => {
    expect(principalOf(facts({ headers: { host: `localhost:${PORT}`, authorization: `Bearer ${AGENT_TOKEN}` } }))).toBe(AGENT);
    expect(principalOf(facts({ pathname: '/v1/stream', headers: { host: `localhost:${PORT}` }, queryToken: AGENT_TOKEN }))).toBe(AGENT);
    expect(refusalOf(facts({ headers: { host: `localhost:${PORT}`, authorization: 'Bearer mbt_revoked' } }))).toMatchObject({
      status: 401,
      code: 'unauthorized',
      message: expect.stringMatching(/revoked/),
    });
  });

  it('prefers the header: a wrong header is not rescued by a right ?token=', () => {
    const both = facts({ pathname: '/v1/stream', headers: { host: `localhost:${PORT}`, authorization: 'Bearer wrong' }, queryToken: TOKEN });
    expect(refusalOf(both)?.status).toBe(401);
    expect(principalOf({ ...both, headers: { host: `localhost:${PORT}` } })).toBe(OWNER);
    expect(refusalOf({ ...both, pathname: '/v1/events', headers: { host: `localhost:${PORT}` } })?.status).toBe(401);
  });

  it('makes the Unix socket the owner without a token or Host check, but not without the Origin check', () => {
    const unix = facts({ transport: 'unix', headers: { host: 'whatever' } });
    expect(principalOf(unix)).toBe(OWNER);
    expect(refusalOf({ ...unix, headers: { origin: 'http://evil.example' } })?.status).toBe(403);
  });

  it('still requires a token on a Windows named pipe', () => {
    expect(refusalOf(facts({ transport: 'pipe', headers: {} }))?.status).toBe(401);
    expect(principalOf(facts({ transport: 'pipe', headers: { authorization: `Bearer ${TOKEN}` } }))).toBe(OWNER);
    expect(principalOf(facts({ transport: 'pipe', headers: { authorization: `Bearer ${AGENT_TOKEN}` } }))).toBe(AGENT);
  });

  it('needs no token for the dashboard, but still checks Host', () => {
    expect(principalOf(facts({ pathname: '/', headers: { host: `localhost:${PORT}` } }))).toBeNull();
    expect(refusalOf(facts({ pathname: '/', headers: { host: 'evil.example' } }))?.status).toBe(403);
  });
});
