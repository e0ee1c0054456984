import { describe, expect, it } from 'vitest';
import { MAX_FRAME_BYTES } from '../../../daemon/providers/adapter.ts';
import { MAX_ERROR_TEXT } from '../../../daemon/providers/common-frames.ts';
import { createOpenMailAdapter } from '../../../daemon/providers/openmail.ts';

const openmail = createOpenMailAdapter();

// The documented example payload in docs/providers.md, verbatim.
const EXAMPLE = `{ "event": "message.received", "event_id": "evt_7f2a3b4c",
  "occurred_at": "2026-02-24T10:05:00.000Z", "delivered_at": "2026-02-24T10:05:00.012Z",
  "attempt": 1, "inbox_id": "inb_8f3a1b2c", "thread_id": "thr_9d4e5f6a",
  "message": { "id": "msg_4c8d5e6f", "rfc_message_id": "<original@message.id>",
    "from": "customer@example.com", "to": "jane@openmail.sh", "cc": [],
    "subject": "Re: Your order", "body_text": "Thanks...",
    "attachments": [{ "filename": "document.pdf", "contentType": "application/pdf",
      "sizeBytes": 12345, "url": "https://api.openmail.sh/v1/attachments/...", "parsedText": "...",
      "extractionMethod": "pdf" }],
    "received_at": "2026-02-24T10:05:00.000Z" } }`;

describe('OpenMail connection', () => {
  it('connects to the documented URL with a Bearer header', () => {
    expect(openmail.defaultUrl).toBe('wss://api.openmail.sh/v1/ws');
    expect(openmail.connectRequest('wss://eu.example/v1/ws', 'om_key')).toEqual({
      url: 'wss://eu.example/v1/ws',
      headers: { Authorization: 'Bearer om_key' },
    });
  });

  it('declares replay of at most 100 events and 30 client frames per 10 s', () => {
    expect(openmail.supportsReplay).toBe(true);
    expect(openmail.replayCap).toBe(100);
    expect(openmail.clientRate).toEqual({ messages: 30, perMs: 10_000 });
  });

  it('keeps the connection alive with an application ping', () => {
  });
});

describe('OpenMail subscribe frame', () => {
  it('sends filters and the replay cursor', () => {
    const frame = openmail.subscribeFrame({ inboxIds: ['inb_1'], eventTypes: ['message.received'], lastEventId: 'evt_9' });
    expect(JSON.parse(frame)).toEqual({
      type: 'subscribe',
      inbox_ids: ['inb_1'],
      event_types: ['message.received'],
      last_event_id: 'evt_9',
    });
  });

  it('omits empty filters and an absent cursor, which subscribes to everything live', () => {
    expect(JSON.parse(openmail.subscribeFrame({ inboxIds: [], eventTypes: [], lastEventId: null }))).toEqual({
      type: 'subscribe',
    });
    expect(JSON.parse(openmail.subscribeFrame({ inboxIds: [], eventTypes: [], lastEventId: '' }))).toEqual({
      type: 'subscribe',
    });
  });
});

describe('OpenMail classify', () => {
  it('recognises the documented event payload by its event key and keeps it intact', () => {
    expect(openmail.classify(EXAMPLE)).toEqual({ kind: 'event', event: JSON.parse(EXAMPLE) });
  });

  it('passes unknown provider fields of webhook-style events through', () => {
    const suspended = {
      event: 'inbox.suspended',
      event_id: 'evt_2',
      occurred_at: '2026-02-24T10:05:00.000Z',
      inbox_id: null,
      inbox_address: null,
      pod_id: 'pod_1',
      reason: 'abuse',
    };
    expect(openmail.classify(JSON.stringify(suspended))).toEqual({ kind: 'event', event: suspended });
  });

  it('refuses an event payload that breaks the shape, saying why', () => {
    const broken = { ...JSON.parse(EXAMPLE), event_id: 42 };
    const frame = openmail.classify(JSON.stringify(broken));
    expect(frame.kind).toBe('unknown');
    expect(frame.kind === 'unknown' && frame.reason).toContain('event_id');
  });

  it('does not take a typed frame for an event even when it has an event key', () => {
    const typed = { ...JSON.parse(EXAMPLE), type: 'event' };
    expect(openmail.classify(JSON.stringify(typed)).kind).toBe('unknown');
  });

  it('reads subscribed, unsubscribed and pong frames', () => {
    expect(openmail.classify('{"type":"subscribed","inbox_ids":["inb_1"],"event_types":[]}')).toEqual({
      kind: 'subscribed',
      inboxIds: ['inb_1'],
      eventTypes: [],
    });
    expect(openmail.classify('{"type":"subscribed"}')).toEqual({ kind: 'subscribed', inboxIds: [], eventTypes: [] });
    expect(openmail.classify('{"type":"unsubscribed","inbox_ids":["inb_2"]}')).toEqual({
      kind: 'unsubscribed',
      inboxIds: ['inb_2'],
    });
    expect(openmail.classify('{"type":"pong"}')).toEqual({ kind: 'pong' });
  });

  it('refuses acknowledgements whose filters are not string lists', () => {
    expect(openmail.classify('{"type":"subscribed","inbox_ids":"inb_1"}').kind).toBe('unknown');
    expect(openmail.classify('{"type":"unsubscribed","inbox_ids":[1]}').kind).toBe('unknown');
  });

  it.each([
    ['API key revoked', 'unauthorized'],
    ['Unauthorized', 'unauthorized'],
    ['Invalid API key', 'unauthorized'],
    ['Key was rotated', 'unauthorized'],
    ['Unknown last_event_id', 'cursor_unknown'],
    ['Invalid cursor', 'cursor_unknown'],
    ['Event id not found', 'cursor_unknown'],
    ['Rate limit exceeded', 'rate_limited'],
    ['Too many messages', 'rate_limited'],
    ['Connection limit reached (10)', 'connection_limit'],
    ['Too many connections', 'connection_limit'],
    ['Unauthorized inbox inb_x', 'other'],
    ['Invalid JSON', 'other'],
    ['Unknown message type', 'other'],
  ])('classifies the error %j as %s', (message, kind) => {
    expect(openmail.classify(JSON.stringify({ type: 'error', message }))).toEqual({
      kind: 'error',
      error: kind,
      message,
    });
  });

  it('bounds the error text it keeps and names an error without text', () => {
    const frame = openmail.classify(JSON.stringify({ type: 'error', message: 'x'.repeat(10_000) }));
    expect(frame.kind === 'error' && frame.message.length).toBe(MAX_ERROR_TEXT);
    expect(openmail.classify('{"type":"error"}')).toMatchObject({ kind: 'error', error: 'other' });
  });

  it.each([
    ['invalid JSON', '{"event":'],
    ['a JSON array', '[{"event":"x"}]'],
    ['a JSON string', '"message.received"'],
    ['null', 'null'],
    ['an object with neither type nor event', '{"event_id":"evt_1"}'],
    ['an unrecognised type', '{"type":"ping"}'],
    ['a non-string type', '{"type":7}'],
  ])('reports %s as unknown', (_what, raw) => {
    expect(openmail.classify(raw).kind).toBe('unknown');
  });

  it('refuses a frame over the size limit, even a valid event', () => {
    const padded = { ...JSON.parse(EXAMPLE), padding: 'x'.repeat(MAX_FRAME_BYTES) };
    expect(openmail.classify(JSON.stringify(padded))).toEqual({
      kind: 'unknown',
      reason: expect.stringContaining('larger than'),
    });
  });

  it('refuses deeply nested JSON instead of passing it downstream', () => {
    const deep = { ...JSON.parse(EXAMPLE), extra: JSON.parse(`${'['.repeat(1000)}${']'.repeat(1000)}`) };
    expect(openmail.classify(JSON.stringify(deep))).toEqual({
      kind: 'unknown',
      reason: expect.stringContaining('nested'),
    });
  });
});

describe('OpenMail close policy', () => {
  it.each([1000, 1001, 1006, 1011, 1012, 1013, 3000, 4000, 4999])('reconnects with the normal backoff after %i', (code) => {
    expect(openmail.onClose(code, '')).toMatchObject({ action: 'reconnect', minDelayMs: 0 });
  });

  it.each([4001, 4003])('asks for a new key after %i', (code) => {
    expect(openmail.onClose(code, 'key revoked').action).toBe('needs_key');
  });

  it('waits a minute after the connection limit and 10 s after the rate limit', () => {
    expect(openmail.onClose(4008, '')).toMatchObject({ action: 'reconnect', minDelayMs: 60_000 });
    expect(openmail.onClose(4029, '')).toMatchObject({ action: 'reconnect', minDelayMs: 10_000 });
  });

  it('names the close in its reason, with the server text bounded', () => {
    const action = openmail.onClose(1001, 'deploy'.repeat(100));
    expect(action.reason).toMatch(/^server going away \(close 1001\): deploy/);
    expect(action.reason.length).toBeLessThan(200);
  });
});

describe('OpenMail handshake policy', () => {
  it.each([401, 403])('asks for a new key when the handshake gets %i', (status) => {
    expect(openmail.onHandshakeStatus(status).action).toBe('needs_key');
  });

  it('backs off 10 s when the handshake is rate limited', () => {
    expect(openmail.onHandshakeStatus(429)).toMatchObject({ action: 'reconnect', minDelayMs: 10_000 });
  });

  it.each([400, 404, 500, 502, 503])('retries with the normal backoff after %i', (status) => {
    expect(openmail.onHandshakeStatus(status)).toMatchObject({ action: 'reconnect', minDelayMs: 0 });
  });
});
