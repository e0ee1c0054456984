import { describe, expect, it } from 'vitest';
import { createAgentMailAdapter } from '../../../daemon/providers/agentmail.ts';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const agentmail = createAgentMailAdapter({ now: () => NOW });

const received = () => ({
  type: 'event',
  event_type: 'message.received',
  event_id: 'evt_am_1',
  message: {
    inbox_id: 'inb_am',
    thread_id: 'thr_am',
    message_id: 'msg_am',
    labels: ['received'],
    timestamp: '2026-02-24T10:05:00.000Z',
    from: 'Customer <customer@example.com>',
    reply_to: ['customer@example.com'],
    to: ['agent@agentmail.to', 'other@agentmail.to'],
    cc: ['cc@example.com'],
    subject: 'Order',
    preview: 'Hello',
    text: 'Hello there',
    html: '<p>Hello there</p>',
    extracted_text: 'Hello',
    attachments: [{ attachment_id: 'att_1', filename: 'a.pdf', size: 2048, content_type: 'application/pdf' }],
  },
  thread: { thread_id: 'thr_am' },
});

function eventOf(frame: unknown) {
  const result = agentmail.classify(JSON.stringify(frame));
  if (result.kind !== 'event') throw new Error(`expected an event, got ${JSON.stringify(result)}`);
  return result.event;
}

describe('AgentMail connection', () => {
  it('connects to the documented URL with a Bearer header', () => {
    expect(agentmail.defaultUrl).toBe('wss://ws.agentmail.to/v0');
    expect(agentmail.connectRequest('wss://ws.agentmail.eu/v0', 'am_key')).toEqual({
      url: 'wss://ws.agentmail.eu/v0',
      headers: { Authorization: 'Bearer am_key' },
    });
  });

  it('has no replay and no application ping', () => {
    expect(agentmail.supportsReplay).toBe(false);
    expect(agentmail.replayCap).toBeNull();
  });

  it('subscribes with filters only, never a cursor', () => {
    const frame = agentmail.subscribeFrame({ inboxIds: ['inb_am'], eventTypes: ['message.received'], lastEventId: 'evt_1' });
    expect(JSON.parse(frame)).toEqual({ type: 'subscribe', event_types: ['message.received'], inbox_ids: ['inb_am'] });
    expect(JSON.parse(agentmail.subscribeFrame({ inboxIds: [], eventTypes: [], lastEventId: null }))).toEqual({
      type: 'subscribe',
    });
  });
});

describe('AgentMail events', () => {
  it('maps message.received to the OpenMail event shape', () => {
    expect(eventOf(received())).toEqual({
      event: 'message.received',
      event_id: 'evt_am_1',
      occurred_at: '2026-02-24T10:05:00.000Z',
      inbox_id: 'inb_am',
      thread_id: 'thr_am',
      message: {
        id: 'msg_am',
        from: 'Customer <customer@example.com>',
        to: 'agent@agentmail.to, other@agentmail.to',
        cc: ['cc@example.com'],
        subject: 'Order',
        body_text: 'Hello there',
        attachments: [{ filename: 'a.pdf', contentType: 'application/pdf', sizeBytes: 2048, attachmentId: 'att_1' }],
        received_at: '2026-02-24T10:05:00.000Z',
      },
    });
  });

  it('falls back to the extracted text when there is no plain text', () => {
    const frame = received();
    const { text: _text, ...message } = frame.message;
    expect(eventOf({ ...frame, message }).message?.body_text).toBe('Hello');
  });

  it('fills absent optionals, null ones included, and dates a timestampless event by the clock', () => {
    const frame = received();
    const message = { ...frame.message, timestamp: undefined, subject: null, cc: null, text: null, extracted_text: null };
    const event = eventOf({ ...frame, message });
    expect(event.occurred_at).toBe('2026-03-01T12:00:00.000Z');
    expect(event.message).toEqual({
      id: 'msg_am',
      from: 'Customer <customer@example.com>',
      to: 'agent@agentmail.to, other@agentmail.to',
      subject: '',
      attachments: [{ filename: 'a.pdf', contentType: 'application/pdf', sizeBytes: 2048, attachmentId: 'att_1' }],
    });
  });

  it('gives attachments without a name or type the shape OpenMail requires', () => {
    const frame = received();
    const message = { ...frame.message, attachments: [{ attachment_id: 'att_2', size: 5 }] };
    expect(eventOf({ ...frame, message }).message?.attachments).toEqual([
      { filename: '', contentType: 'application/octet-stream', sizeBytes: 5, attachmentId: 'att_2' },
    ]);
  });

  it.each([
    ['message.sent', 'send'],
    ['message.delivered', 'delivery'],
    ['message.bounced', 'bounce'],
    ['message.complained', 'complaint'],
    ['message.rejected', 'reject'],
  ])('keeps the %s body under %s and takes inbox and thread from it', (eventType, key) => {
    const body = { inbox_id: 'inb_am', thread_id: 'thr_am', message_id: 'msg_am', timestamp: '2026-02-24T11:00:00.000Z' };
    expect(eventOf({ type: 'event', event_type: eventType, event_id: 'evt_2', [key]: body })).toEqual({
      event: eventType,
      event_id: 'evt_2',
      occurred_at: '2026-02-24T11:00:00.000Z',
      inbox_id: 'inb_am',
      thread_id: 'thr_am',
      [key]: body,
    });
  });

  it('maps domain.verified with no inbox', () => {
    const domain = { domain_id: 'dom_1', status: 'verified' };
    expect(eventOf({ type: 'event', event_type: 'domain.verified', event_id: 'evt_3', domain })).toEqual({
      event: 'domain.verified',
      event_id: 'evt_3',
      occurred_at: '2026-03-01T12:00:00.000Z',
      inbox_id: null,
      domain,
    });
  });

  it.each([
    ['no event id', { ...received(), event_id: undefined }, 'event_id'],
    ['no event type', { ...received(), event_type: undefined }, 'event'],
    ['recipients that are not addresses', { ...received(), message: { ...received().message, to: [1] } }, 'message.to'],
    ['no message id', { ...received(), message: { ...received().message, message_id: undefined } }, 'message.id'],
    ['an unparseable timestamp', { ...received(), message: { ...received().message, timestamp: 'soon' } }, 'occurred_at'],
  ])('refuses an event with %s', (_what, frame, field) => {
    const result = agentmail.classify(JSON.stringify(frame));
    expect(result.kind).toBe('unknown');
    expect(result.kind === 'unknown' && result.reason).toContain(field);
  });
});

describe('AgentMail control frames', () => {
  it('reads the subscribed acknowledgement', () => {
    expect(
      agentmail.classify('{"type":"subscribed","event_types":["message.received"],"inbox_ids":["inb_am"],"pod_ids":[]}'),
    ).toEqual({ kind: 'subscribed', inboxIds: ['inb_am'], eventTypes: ['message.received'] });
  });

  it('classifies error frames by their name and message', () => {
    expect(agentmail.classify('{"type":"error","name":"UnauthorizedError","message":"API key revoked"}')).toEqual({
      kind: 'error',
      error: 'unauthorized',
      message: 'UnauthorizedError: API key revoked',
    });
    expect(agentmail.classify('{"type":"error","name":"ValidationError","message":"bad event_types"}')).toMatchObject({
      kind: 'error',
      error: 'other',
    });
  });

  it('reports an OpenMail-style untyped event as unknown', () => {
    const untyped = { event: 'message.received', event_id: 'e', occurred_at: '2026-01-01', inbox_id: null };
    expect(agentmail.classify(JSON.stringify(untyped)).kind).toBe('unknown');
  });
});

describe('AgentMail close and handshake policy', () => {
  it('asks for a new key when the handshake is refused with 401', () => {
    expect(agentmail.onHandshakeStatus(401).action).toBe('needs_key');
  });

  it.each([1000, 1001, 1006, 4001, 4008])('reconnects after close %i, having no documented close codes', (code) => {
    expect(agentmail.onClose(code, '').action).toBe('reconnect');
  });
});
