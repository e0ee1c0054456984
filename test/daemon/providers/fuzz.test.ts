// Seeded, bounded fuzz of every adapter's classify: whatever arrives, it returns a well-formed Frame, and an
// event it lets through is one the store can validate and serialise.
import { Buffer } from 'node:buffer';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_FRAME_BYTES, type Frame, type ProviderAdapter } from '../../../daemon/providers/adapter.ts';
import { parseMailEvent } from '../../../daemon/providers/event-shape.ts';
import { getAdapter } from '../../../daemon/providers/index.ts';
import { PROVIDERS, type ProviderName } from '../../../shared/status.ts';

const CASES_PER_ADAPTER = 5_000;
const ERROR_KINDS = new Set(['unauthorized', 'cursor_unknown', 'rate_limited', 'connection_limit', 'other']);

const OPENMAIL_EVENT = {
  event: 'message.received',
  event_id: 'evt_7f2a3b4c',
  occurred_at: '2026-02-24T10:05:00.000Z',
  delivered_at: '2026-02-24T10:05:00.012Z',
  attempt: 1,
  inbox_id: 'inb_8f3a1b2c',
  thread_id: 'thr_9d4e5f6a',
  message: {
    id: 'msg_4c8d5e6f',
    rfc_message_id: '<original@message.id>',
    from: 'customer@example.com',
    to: 'jane@openmail.sh',
    cc: [],
    subject: 'Re: Your order',
    body_text: 'Thanks...',
    attachments: [{ filename: 'document.pdf', contentType: 'application/pdf', sizeBytes: 12345, url: 'https://x' }],
    received_at: '2026-02-24T10:05:00.000Z',
  },
};

const PROVIDER_EVENT = {
  type: 'event',
  event_type: 'message.received',
  event_id: 'evt_1',
  message: {
    inbox_id: 'inb_1',
    thread_id: 'thr_1',
    message_id: 'msg_1',
    timestamp: '2026-02-24T10:05:00.000Z',
    from: 'a@example.com',
    to: ['b@example.com'],
    cc: ['c@example.com'],
    subject: 'Hi',
    text: 'Hello',
    plain_body: 'Hello',
    attachments: [{ attachment_id: 'att_1', filename: 'a.pdf', size: 10, content_type: 'application/pdf' }],
  },
};

const SEEDS: Record<ProviderName, unknown[]> = {
  openmail: [
    OPENMAIL_EVENT,
    { type: 'subscribed', inbox_ids: ['inb_1'], event_types: [] },
    { type: 'unsubscribed', inbox_ids: [] },
    { type: 'error', message: 'Unknown last_event_id' },
    { type: 'pong' },
  ],
  agentmail: [
    PROVIDER_EVENT,
    {
      type: 'event',
      event_type: 'message.bounced',
      event_id: 'evt_2',
      bounce: { inbox_id: 'inb_1', timestamp: '2026-02-24T10:05:00Z' },
    },
    { type: 'subscribed', event_types: ['message.received'], inbox_ids: [] },
    { type: 'error', name: 'UnauthorizedError', message: 'revoked' },
  ],
  myagentmail: [
    PROVIDER_EVENT,
    { type: 'connected', inboxId: 'inb_1', email: 'a@example.com' },
    { type: 'subscribed', event_types: [], inbox_ids: ['inb_1'] },
    { type: 'ping' },
    { type: 'error', message: 'Rate limit exceeded' },
    { type: 'message.received', data: PROVIDER_EVENT.message },
    { type: 'message.bounced', data: { inbox_id: 'inb_1', recipient: 'b@example.com', timestamp: '2026-02-24T10:05:00Z' } },
    { type: 'message.delivered', data: PROVIDER_EVENT.message },
  ],
};

const REPLACEMENTS: unknown[] = [
  null, 0, -1, 1e308, '', 'x', '\uD800', 'a\uDFFFb', 'x'.repeat(300), [], {}, [1, 'a'], { type: 'event' }, true,
  '2026-13-45T99:00:00Z', '\u0000', 'event', 'error', 'ping', 'subscribed', 'connected', '__proto__',
];

type Rng = () => number;

function seeded(seed: number): Rng {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const pick = <T,>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;

function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== 'object' || value === null) return [];
  const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return keys.flatMap((key) => {
    const path = [...prefix, key];
    return [path, ...paths((value as Record<string | number, unknown>)[key], path)];
  });
}

/** Deletes, retypes or adds one field somewhere in a copy of the value. */
function mutate(rng: Rng, value: unknown): unknown {
  const copy = structuredClone(value);
  const path = pick(rng, paths(copy));
  if (path === undefined) return copy;
  let parent = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const key = path[path.length - 1] as string | number;
  const op = rng();
  if (op < 0.3) delete parent[key];
  else if (op < 0.9) parent[key] = pick(rng, REPLACEMENTS);
  else parent[`extra_${Math.floor(rng() * 100)}`] = pick(rng, REPLACEMENTS);
  return copy;
}

function randomJson(rng: Rng, depth: number): unknown {
  const roll = rng();
  if (depth <= 0 || roll < 0.4) return pick(rng, REPLACEMENTS);
  if (roll < 0.7) return Array.from({ length: Math.floor(rng() * 4) }, () => randomJson(rng, depth - 1));
  return Object.fromEntries(
    Array.from({ length: Math.floor(rng() * 5) }, () => [
      pick(rng, ['type', 'event', 'event_id', 'message', 'inbox_ids', 'x']),
      randomJson(rng, depth - 1),
    ]),
  );
}

function randomBytes(rng: Rng): string {
  const bytes = Uint8Array.from({ length: Math.floor(rng() * 512) }, () => Math.floor(rng() * 256));
  return new TextDecoder('utf-8').decode(bytes); // invalid sequences become U+FFFD, as a socket would deliver them
}

function withLoneSurrogates(rng: Rng, text: string): string {
  const chars = [...text];
  for (let i = 0; i < 3; i++) chars.splice(Math.floor(rng() * chars.length), 0, pick(rng, ['\uD800', '\uDBFF', '\uDC00']));
  return chars.join('');
}

function randomCase(rng: Rng, seeds: readonly unknown[]): string {
  const roll = rng();
  if (roll < 0.15) return randomBytes(rng);
  if (roll < 0.3) return JSON.stringify(randomJson(rng, 6)) ?? 'null';
  const mutated = JSON.stringify(Array.from({ length: 1 + Math.floor(rng() * 3) }).reduce<unknown>(
    (value) => mutate(rng, value),
    pick(rng, seeds),
  ));
  if (roll < 0.8) return mutated;
  if (roll < 0.9) return mutated.slice(0, Math.floor(rng() * mutated.length));
  return withLoneSurrogates(rng, mutated);
}

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
/** A frame with a field appended as raw text: JSON.stringify itself cannot write 100k-deep values. */
const withRawField = (frame: object, raw: string) => JSON.stringify(frame).replace(/}$/, `,"extra":${raw}}`);

function specialCases(): unknown[] {
  return [
    '',
    ' ',
    nested(100_000),
    `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`,
    withRawField(OPENMAIL_EVENT, nested(100_000)),
    withRawField(PROVIDER_EVENT, nested(100_000)),
    // Just past the nesting limit: V8 parses it happily, JSON.stringify downstream would not.
    withRawField(OPENMAIL_EVENT, nested(10_000)),
    JSON.stringify({ ...OPENMAIL_EVENT, padding: 'x'.repeat(MAX_FRAME_BYTES) }),
    JSON.stringify({ ...PROVIDER_EVENT, padding: 'x'.repeat(MAX_FRAME_BYTES) }),
    // Fewer code units than the limit, more UTF-8 bytes.
    JSON.stringify({ ...OPENMAIL_EVENT, padding: '\u20ac'.repeat(MAX_FRAME_BYTES / 2) }),
    '"\uD800"',
    '{"type":"\uDC00\uD800"}',
    // Wrong runtime types from an untyped caller.
    Buffer.from(JSON.stringify(OPENMAIL_EVENT)),
    undefined,
    null,
    42,
  ];
}

/** Why a classify result is not a well-formed Frame, or null when it is. */
function frameProblem(frame: Frame, adapter: ProviderAdapter): string | null {
  switch (frame.kind) {
    case 'event': {
      const checked = parseMailEvent(frame.event);
      if (!checked.ok) return `event fails the shape check: ${checked.reason}`;
      JSON.stringify(frame.event); // the store serialises it; a RangeError here fails the case
      // The store keys every event it commits; a throw here fails the case.
      const key = adapter.messageKey(frame.event);
      return key === null || (typeof key === 'string' && key.length <= 300) ? null : `bad message key ${String(key)}`;
    }
    case 'subscribed':
      return [...frame.inboxIds, ...frame.eventTypes].every((item) => typeof item === 'string') ? null : 'bad filters';
    case 'unsubscribed':
      return frame.inboxIds.every((item) => typeof item === 'string') ? null : 'bad inbox ids';
    case 'error':
      return ERROR_KINDS.has(frame.error) && typeof frame.message === 'string' ? null : 'bad error';
    case 'ping':
      return frame.reply === null || typeof frame.reply === 'string' ? null : 'bad reply';
    case 'unknown':
      return typeof frame.reason === 'string' ? null : 'bad reason';
    case 'connected':
    case 'pong':
      return null;
    default:
      return `unexpected kind ${JSON.stringify((frame as { kind: unknown }).kind)}`;
  }
}

const totals = { cases: 0, survived: 0 };

afterAll(() => {
  console.log(`fuzz: ${totals.cases} cases, ${totals.survived} survived`);
});

function run(adapter: ProviderAdapter, inputs: readonly unknown[]) {
  const failures: string[] = [];
  const kinds = new Map<string, number>();
  for (const input of inputs) {
    totals.cases++;
    try {
      const frame = adapter.classify(input as string);
      const problem = frameProblem(frame, adapter);
      if (problem !== null) throw new Error(problem);
      kinds.set(frame.kind, (kinds.get(frame.kind) ?? 0) + 1);
      totals.survived++;
    } catch (error) {
      failures.push(`${String(error)} on ${String(input).slice(0, 200)}`);
    }
  }
  return { failures, kinds };
}

describe.each(PROVIDERS)('%s classify under fuzz', (name) => {
  const adapter = getAdapter(name);

  it('returns a well-formed frame for every random and mutated input', () => {
    const rng = seeded(0x5eed + name.length);
    const inputs = Array.from({ length: CASES_PER_ADAPTER }, () => randomCase(rng, SEEDS[name]));
    const { failures, kinds } = run(adapter, inputs);
    expect(failures).toEqual([]);
    // The mutations must reach both sides of the classifier, or the fuzz proves little.
    expect(kinds.get('event')).toBeGreaterThan(100);
    expect(kinds.get('unknown')).toBeGreaterThan(100);
  });

  it('refuses huge, deeply nested and mistyped inputs without throwing', () => {
    const { failures, kinds } = run(adapter, specialCases());
    expect(failures).toEqual([]);
    expect([...kinds.keys()]).toEqual(['unknown']);
  });
});
