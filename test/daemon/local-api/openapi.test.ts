// docs/openapi.json against the real server: every documented operation exists, every route the server
// has is documented, and the main responses carry what the document promises.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Forwarder } from '../../../daemon/local-api/forward/forwarder.ts';
import { createLocalWs, type LocalWs } from '../../../daemon/local-api/local-ws.ts';
import type { LocalRoute, UpgradeHandler } from '../../../daemon/local-api/context.ts';
import { LongPolls } from '../../../daemon/local-api/long-poll.ts';
import { consumersRoutes } from '../../../daemon/local-api/routes/consumers.ts';
import { eventsRoutes } from '../../../daemon/local-api/routes/events.ts';
import { historyRoute } from '../../../daemon/local-api/routes/history.ts';
import { statusRoute } from '../../../daemon/local-api/routes/status.ts';
import { streamRoute } from '../../../daemon/local-api/routes/stream.ts';
import { testEventRoute } from '../../../daemon/local-api/routes/test-event.ts';
import { SseStreams } from '../../../daemon/local-api/sse.ts';
import { type Harness, mailEvents, SseReader, startHarness } from './harness.ts';

type Schema = Record<string, unknown>;
interface Operation {
  parameters?: Schema[];
  requestBody?: { content: Record<string, { example?: unknown }> };
  responses: Record<string, { $ref?: string; content?: Record<string, { schema: Schema }> }>;
}

const spec = JSON.parse(fs.readFileSync(new URL('../../../docs/openapi.json', import.meta.url), 'utf8')) as {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: Record<string, Record<string, Schema>>;
};

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
  if (Array.isArray(value) && s.items !== undefined) value.forEach((item, i) => out.push(...violations(item, s.items as Schema, `${at}[${i}]`)));
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

let h: Harness;
let localWs: LocalWs;
let forwarder: Forwarder;
const routes: LocalRoute[] = [];
const upgrades = new Map<string, UpgradeHandler>();

beforeAll(async () => {
  h = await startHarness({ ctx: { routes, upgrades } });
  localWs = createLocalWs({ events: h.events, hub: h.hub });
  upgrades.set('/v1/ws', (req, socket, head) => localWs.handleUpgrade(req, socket, head));
  forwarder = new Forwarder({ db: h.db, events: h.events, hub: h.hub, targets: [] });
  routes.push(...forwarder.routes());
  h.commit(mailEvents(3));
});

afterAll(async () => {
  await localWs.close();
  await forwarder.stop();
  await h.close();
});

describe('docs/openapi.json', () => {
  it('is OpenAPI 3.1 and every $ref resolves', () => {
    expect(spec.openapi).toMatch(/^3\.1\./);
    const refs = JSON.stringify(spec).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(() => deref({ $ref: ref.slice(8, -1) })).not.toThrow();
  });

  it('documents every route the server has', () => {
    const polls = new LongPolls(h.hub);
    const streams = new SseStreams(h.hub, h.events);
    const served = [
      ...eventsRoutes(h.ctx, polls),
      streamRoute(streams),
      ...consumersRoutes(h.ctx),
      statusRoute(h.ctx),
      testEventRoute(h.ctx),
      historyRoute(h.ctx),
      ...forwarder.routes(),
    ].map((route) => `${route.method} ${route.path.replace(/:(\w+)/g, '{$1}')}`);
    polls.close();
    streams.close();
    served.push(...[...upgrades.keys()].map((path) => `GET ${path}`));
    const documented = operations().map(({ path, method }) => `${method} ${path}`);
    expect(documented.sort()).toEqual(served.sort());
  });

  it.each(operations().map((o) => [`${o.method} ${o.path}`, o] as const))('%s exists on the real server and answers as documented', async (_name, { path, method, op }) => {
    h.consumers.ack('agent-1', 1);
    const url = `${h.api.url}${concretePath(path, op)}`;

    if (path === '/v1/ws') {
      const opened = await new Promise<number | 'open'>((resolve) => {
        const ws = new WebSocket(url.replace('http:', 'ws:'), { headers: { Authorization: `Bearer ${h.token}` } });
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
      const reader = await SseReader.open(url, { Authorization: `Bearer ${h.token}` });
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

    const example = op.requestBody?.content['application/json']?.example;
    const res = await h.get(concretePath(path, op), {
      method,
      ...(method === 'POST' ? { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(example ?? {}) } : {}),
    });
    const text = await res.text();
    expect(res.status, text).not.toBe(405);
    if (res.status === 404) expect(text).not.toMatch(/no route for/);
    const documented = op.responses[String(res.status)];
    expect(documented, `${res.status} is not documented: ${text}`).toBeDefined();
    const schema = deref(documented as { content?: Record<string, { schema: Schema }> }).content?.['application/json']?.schema;
    if (schema !== undefined) expect(violations(JSON.parse(text), schema)).toEqual([]);
  });

  it('documents the error shape the server sends', async () => {
    const schema = { $ref: '#/components/schemas/ApiError' } as Schema;
    for (const res of [await fetch(`${h.api.url}/v1/status`), await h.get('/v1/events?limit=0'), await h.get('/v1/nope')]) {
      expect(violations(await res.json(), schema)).toEqual([]);
    }
  });
});
