// docs/openapi.json against a real engine (startEngine, as both shells start it): every documented operation
// exists and answers as documented, every route the server says it serves is documented (and every documented
// one served), and the errors carry the documented shape.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { MailEvent } from '../../../shared/event.ts';
import type { Control } from '../../../daemon/control.ts';
import type { Daemon } from '../../../daemon/daemon.ts';
import { DemoProvider } from '../../../daemon/demo/server.ts';
import { startEngine } from '../../../daemon/engine.ts';
import type { LocalRoute } from '../../../daemon/local-api/context.ts';
import { SecretStore } from '../../../daemon/store/secrets.ts';
import { mailEvents, SseReader } from './harness.ts';
import { testDaemonOptions } from '../../support/daemon-options.ts';
import { waitFor } from '../../support/wait-for.ts';

type Schema = Record<string, unknown>;
interface Operation {
  'x-access'?: string;
  parameters?: Schema[];
  requestBody?: { content: Record<string, { schema?: Schema; example?: unknown }> };
  responses: Record<string, { $ref?: string; content?: Record<string, { schema: Schema }> }>;
}

const spec = JSON.parse(fs.readFileSync(new URL('../../../docs/openapi.json', import.meta.url), 'utf8')) as {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: Record<string, Record<string, Schema>>;
};

/** The engine's WebSocket upgrade paths (the Daemon registers only this one); checked below to answer as one. */
const UPGRADE_PATHS = ['/v1/ws'];

function deref<T>(node: T): T {
  const ref = (node as { $ref?: string }).$ref;
  if (ref === undefined) return node;
  const [, section, name] = /^#\/components\/(\w+)\/(.+)$/.exec(ref) ?? [];
  const target = spec.components[section as string]?.[name as string];
  if (target === undefined) throw new Error(`dangling $ref ${ref}`);
  return deref(target as T);
}

/** A small JSON Schema check (type, enum, const, required, properties, additionalProperties, items, allOf, oneOf). */
function violations(value: unknown, schema: Schema, at = '$'): string[] {
  const s = deref(schema);
  const out: string[] = [];
  for (const part of (s.allOf as Schema[] | undefined) ?? []) out.push(...violations(value, part, at));
  if (s.oneOf !== undefined) {
    const matching = (s.oneOf as Schema[]).filter((option) => violations(value, option, at).length === 0);
    if (matching.length !== 1) out.push(`${at}: matches ${matching.length} of oneOf`);
  }
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
    if (!types.some((type) => hasType(value, type))) return [...out, `${at}: expected ${types.join('|')}, got ${JSON.stringify(value)?.slice(0, 80)}`];
  }
  if (s.enum !== undefined && !(s.enum as unknown[]).includes(value)) out.push(`${at}: ${JSON.stringify(value)} not in enum`);
  if (s.const !== undefined && value !== s.const) out.push(`${at}: expected ${JSON.stringify(s.const)}`);
  if (hasType(value, 'object')) {
    const object = value as Record<string, unknown>;
    for (const key of (s.required as string[] | undefined) ?? []) if (!(key in object)) out.push(`${at}: missing required "${key}"`);
    const properties = (s.properties as Record<string, Schema> | undefined) ?? {};
    for (const [key, child] of Object.entries(object)) {
      if (key in properties) out.push(...violations(child, properties[key] as Schema, `${at}.${key}`));
      else if (s.additionalProperties === false) out.push(`${at}: unexpected "${key}"`);
    }
  }
  if (Array.isArray(value) && s.items !== undefined) {
    for (const [i, item] of value.entries()) out.push(...violations(item, s.items as Schema, `${at}[${i}]`));
  }
  return out;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'null':
      return value === null;
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    default:
      return typeof value === type;
  }
}

function operations(): Array<{ path: string; method: string; op: Operation }> {
  return Object.entries(spec.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method: method.toUpperCase(), op })));
}

/** The documented path with each `{param}` replaced by its documented example. */
function concretePath(path: string, op: Operation): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const param = (op.parameters ?? []).map(deref).find((p) => p.in === 'path' && p.name === name);
    if (param?.example === undefined) throw new Error(`${path}: path parameter ${name} has no example`);
    return encodeURIComponent(String(param.example));
  });
}

const routeKey = (route: Pick<LocalRoute, 'method' | 'path'>): string => `${route.method} ${route.path.replace(/:(\w+)\*?/g, '{$1}')}`;

/** Fails unless the status is documented for the operation and the body matches the documented schema. */
function expectDocumented(method: string, documentedPath: string, status: number, text: string): void {
  const op = spec.paths[documentedPath]?.[method.toLowerCase()];
  expect(op, `${method} ${documentedPath} is not documented`).toBeDefined();
  const documented = op!.responses[String(status)];
  expect(documented, `${method} ${documentedPath}: ${status} is not documented: ${text}`).toBeDefined();
  const schema = deref(documented as { content?: Record<string, { schema: Schema }> }).content?.['application/json']?.schema;
  if (schema !== undefined) expect(violations(JSON.parse(text), schema), text).toEqual([]);
}

let dir: string;
let demo: DemoProvider;
let daemon: Daemon;
let control: Control;
let secrets: SecretStore;

/** Read fresh each time: POST /v1/token/rotate replaces it mid-run. */
function token(): string {
  return fs.readFileSync(daemon.endpoint!.tokenFile, 'utf8').trim();
}

function get(pathAndQuery: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${daemon.endpoint!.url}${pathAndQuery}`, {
    ...init,
    headers: { Authorization: `Bearer ${token()}`, ...(init.headers as Record<string, string> | undefined) },
  });
}

function commit(events: readonly MailEvent[]): void {
  daemon.events.commit('work', events);
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-openapi-'));
  // Not the daemon's upstream: a real provider to refuse a key, for the documented 422 of POST /v1/accounts.
  demo = await DemoProvider.start({ apiKey: `om_openapi_test_${process.pid}` });
  secrets = new SecretStore(`mailbridge-test-${process.pid}`);
  ({ daemon, control } = await startEngine(testDaemonOptions(dir, { secrets })));
  commit(mailEvents(3));
});

afterAll(async () => {
  // Through Control, so whatever the examples added leaves the (test) keychain too.
  if (control !== undefined) {
    const left = await control.settings();
    for (const account of left.accounts) await control.removeAccount(account.name);
    for (const target of left.forwardTargets) await control.removeForwardTarget(target.id);
  }
  await daemon?.stop();
  await demo?.stop();
  if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
});

describe('docs/openapi.json', () => {
  it('is OpenAPI 3.1 and every $ref resolves', () => {
    expect(spec.openapi).toMatch(/^3\.1\./);
    const refs = JSON.stringify(spec).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(() => deref({ $ref: ref.slice(8, -1) })).not.toThrow();
  });

  it('has request examples that match their own schemas', () => {
    const withBodies = operations().filter(({ op }) => op.requestBody !== undefined);
    expect(withBodies.length).toBeGreaterThan(0);
    for (const { path, method, op } of withBodies) {
      const media = op.requestBody!.content['application/json'];
      expect(media?.example, `${method} ${path} has no request example`).toBeDefined();
      expect(violations(media!.example, media!.schema ?? {}), `${method} ${path}`).toEqual([]);
    }
  });

  it('documents every route the engine serves', async () => {
    // What the running server says it serves: every route is fixed when it starts.
    const routes = daemon.endpoint!.routes.map(routeKey);
    expect(routes).toEqual(expect.arrayContaining(['POST /v1/token/rotate', 'GET /v1/deliveries', 'POST /v1/deliveries/{id}/retry', 'PATCH /v1/settings']));

    for (const upgradePath of UPGRADE_PATHS) expect((await get(upgradePath)).status, upgradePath).toBe(426);
    const served = [...routes, ...UPGRADE_PATHS.map((p) => `GET ${p}`)];
    expect(new Set(served).size).toBe(served.length);
    const documented = operations().map(({ path, method }) => `${method} ${path}`);
    expect(documented.sort()).toEqual(served.sort());
  });

  it("documents what each route needs of the token (x-access) as the route declares it", () => {
    const declared = [
      ...daemon.endpoint!.routes.map((route) => [routeKey(route), route.access] as const),
      ...UPGRADE_PATHS.map((path) => [`GET ${path}`, 'read'] as const),
    ];
    const documented = operations().map(({ path, method, op }) => [`${method} ${path}`, op['x-access']] as const);
    expect(new Map(documented)).toEqual(new Map(declared));
  });

  it.each(operations().map((o) => [`${o.method} ${o.path}`, o] as const))('%s exists on the real server and answers as documented', async (_name, { path, method, op }) => {
    daemon.consumers.ack('agent-1', 1);
    const url = `${daemon.endpoint!.url}${concretePath(path, op)}`;

    if (UPGRADE_PATHS.includes(path)) {
      const opened = await new Promise<number | 'open'>((resolve) => {
        const ws = new WebSocket(url.replace('http:', 'ws:'), { headers: { Authorization: `Bearer ${token()}` } });
        ws.on('open', () => {
          resolve('open');
          ws.close();
        });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      });
      expect(opened).toBe('open');
      expect(op.responses['101']).toBeDefined();
      return;
    }
    if (path === '/v1/stream') {
      const reader = await SseReader.open(url, { Authorization: `Bearer ${token()}` });
      try {
        expect(reader.status).toBe(200);
        expect(op.responses['200']?.content?.['text/event-stream']).toBeDefined();
        await reader.until((r) => r.messages.length >= 1);
        const schema = deref({ $ref: '#/components/schemas/StoredEvent' } as Schema);
        expect(violations(JSON.parse(reader.messages[0]?.data ?? 'null'), schema)).toEqual([]);
      } finally {
        reader.close();
      }
      return;
    }
    // Waiting for mail: a wait that may not wait answers at once; the MCP endpoint is asked as MCP clients ask it.
    if (path === '/v1/wait') {
      const res = await get('/v1/wait?timeout_seconds=0');
      const text = await res.text();
      expect(res.status, text).toBe(200);
      expectDocumented(method, path, res.status, text);
      return;
    }
    if (path === '/mcp' && method === 'POST') {
      const res = await get(path, {
        method,
        headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
        body: JSON.stringify(op.requestBody?.content['application/json']?.example),
      });
      const text = await res.text();
      expect(res.status, text).toBe(200);
      expect(res.headers.get('mcp-session-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(op.responses['200']?.content?.[res.headers.get('content-type')?.split(';')[0] ?? '']).toBeDefined();
      expect(text).toMatch(/"serverInfo":\{"name":"mailbridge"/);
      return;
    }

    const tokenBefore = token();
    const example = op.requestBody?.content['application/json']?.example;
    const sendsBody = example !== undefined || method === 'POST' || method === 'PATCH';
    const res = await get(concretePath(path, op), {
      method,
      ...(sendsBody ? { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(example ?? {}) } : {}),
    });
    const text = await res.text();
    expect(res.status, text).not.toBe(405);
    if (res.status === 404) expect(text).not.toMatch(/no route for/);
    expectDocumented(method, path, res.status, text);

    if (path === '/v1/forward-targets' && res.status === 201) {
      // The example target is removed again at once (through its id), so nothing is forwarded to it during the run.
      const { target } = JSON.parse(text) as { target: { id: string } };
      const removed = await get(`/v1/forward-targets/${encodeURIComponent(target.id)}`, { method: 'DELETE' });
      expectDocumented('DELETE', '/v1/forward-targets/{id}', removed.status, await removed.text());
      expect(removed.status).toBe(200);
      expect(daemon.status().forwards).toEqual([]);
    }
    if (path === '/v1/token/rotate') {
      // The old token stops working at once; the new one is in token_file.
      expect(token()).not.toBe(tokenBefore);
      expect((await fetch(`${daemon.endpoint!.url}/v1/status`, { headers: { Authorization: `Bearer ${tokenBefore}` } })).status).toBe(401);
      expect((await get('/v1/status')).status).toBe(200);
    }
  });

  it('documents the error shape the server sends', async () => {
    const schema = { $ref: '#/components/schemas/ApiError' } as Schema;
    for (const res of [await fetch(`${daemon.endpoint!.url}/v1/status`), await get('/v1/events?limit=0'), await get('/v1/nope')]) {
      expect(violations(await res.json(), schema)).toEqual([]);
    }
  });

  const refusals: Array<readonly [method: string, path: string, status: number, documentedPath: string, body: () => object | undefined]> = [
    ['POST', '/v1/accounts', 422, '/v1/accounts', () => ({ name: 'refused', provider: 'openmail', url: demo.url, apiKey: 'om_not_the_demo_key' })],
    ['POST', '/v1/accounts', 400, '/v1/accounts', () => ({ name: 'has space', provider: 'openmail', apiKey: 'k' })],
    ['PATCH', '/v1/settings', 400, '/v1/settings', () => ({ accounts: [] })],
    ['PATCH', '/v1/settings', 400, '/v1/settings', () => ({ port: 'eighty' })],
    ['POST', '/v1/forward-targets', 400, '/v1/forward-targets', () => ({ url: 'https://example.com/hook' })],
    ['POST', '/v1/events/0/redeliver', 400, '/v1/events/{seq}/redeliver', () => undefined],
    ['POST', '/v1/events/999999/redeliver', 400, '/v1/events/{seq}/redeliver', () => undefined],
  ];
  it.each(refusals)('%s %s answers %s as documented', async (method, concrete, status, documentedPath, body) => {
    const payload = body();
    const res = await get(concrete, {
      method,
      ...(payload === undefined ? {} : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(payload) }),
    });
    const text = await res.text();
    expect(res.status, text).toBe(status);
    expectDocumented(method, documentedPath, res.status, text);
    expect((await control.settings()).accounts.map((a) => a.name)).not.toContain('refused');
  });

  // Catch-up: an account's catch-up status, and a caught-up event, as documented.
  it('documents the catch-up status of an account and the events catch-up commits', async () => {
    const key = `om_openapi_test_${process.pid}`;
    daemon.addAccount({ name: 'caught', provider: 'openmail', url: demo.url, apiUrl: demo.restUrl, inboxIds: [], eventTypes: [], apiKey: key });
    try {
      demo.setPushOff(true);
      const mail = demo.emit();
      await waitFor(() => daemon.events.holds('caught', { ...mail, event_id: 'evt_unknown' }), 10_000, 'the caught-up mail');
      const res = await get('/v1/status');
      const status = (await res.json()) as { accounts: { account: string; catchUp?: unknown }[] };
      expect(status.accounts.find((account) => account.account === 'caught')?.catchUp).toMatchObject({ lastRecovered: 1 });
      expect(violations(status, { $ref: '#/components/schemas/DaemonStatus' })).toEqual([]);
      const events = (await (await get('/v1/events?after=0&limit=500')).json()) as { events: { delivery?: string }[] };
      const caught = events.events.filter((event) => event.delivery === 'catch_up');
      expect(caught).toHaveLength(1);
      expect(violations(caught[0], { $ref: '#/components/schemas/StoredEvent' })).toEqual([]);
    } finally {
      demo.setPushOff(false);
      daemon.removeAccount('caught');
    }
  });
});
