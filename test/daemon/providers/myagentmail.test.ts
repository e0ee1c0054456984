import { describe, expect, it } from 'vitest';
import { createMyAgentMailAdapter } from '../../../daemon/providers/myagentmail.ts';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const myagentmail = createMyAgentMailAdapter({ now: () => NOW });

const received = () => ({
  type: 'event',
  event_type: 'message.received',
  event_id: 'evt_my_1',
  message: {
    inbox_id: 'inb_my',
    thread_id: 'thr_my',
    from: 'customer@example.com',
    to: ['agent@myagentmail.com', 'b@myagentmail.com'],
    subject: 'Question',
    plain_body: 'Plain words',
    html_body: '<p>Plain words</p>',
    timestamp: '2026-02-24T10:05:00.000Z',
  },
  thread: { id: 'thr_my' },
});

describe('myagentmail connection', () => {
  it('connects to the documented URL with an X-API-Key header', () => {
    expect(myagentmail.defaultUrl).toBe('wss://myagentmail.com/v1/ws');
    expect(myagentmail.connectRequest('wss://myagentmail.com/v1/ws', 'my_key')).toEqual({
      url: 'wss://myagentmail.com/v1/ws',
      headers: { 'X-API-Key': 'my_key' },
    });
  });

  it('has no replay and sends no pings of its own', () => {
    expect(myagentmail.supportsReplay).toBe(false);
    expect(myagentmail.replayCap).toBeNull();
  });

  it('subscribes with filters only, never a cursor', () => {
    const frame = myagentmail.subscribeFrame({ inboxIds: ['inb_my'], eventTypes: [], lastEventId: 'evt_1' });
    expect(JSON.parse(frame)).toEqual({ type: 'subscribe', inbox_ids: ['inb_my'] });
  });
});

describe('myagentmail frames', () => {
  it('reads the greeting and the subscribed acknowledgement', () => {
    expect(myagentmail.classify('{"type":"connected","inboxId":"inb_my","email":"agent@myagentmail.com"}')).toEqual({
      kind: 'connected',
    });
    expect(myagentmail.classify('{"type":"subscribed","event_types":["message.received"]}')).toEqual({
      kind: 'subscribed',
      inboxIds: [],
      eventTypes: ['message.received'],
    });
  });

  it('answers a server ping with a pong', () => {
    const frame = myagentmail.classify('{"type":"ping"}');
    expect(frame.kind).toBe('ping');
    expect(frame.kind === 'ping' && JSON.parse(frame.reply ?? 'null')).toEqual({ type: 'pong' });
  });

  it('classifies error frames by their message', () => {
    expect(myagentmail.classify('{"type":"error","message":"Invalid API key"}')).toEqual({
      kind: 'error',
      error: 'unauthorized',
      message: 'Invalid API key',
    });
  });

  it('maps message.received to the OpenMail event shape', () => {
    const result = myagentmail.classify(JSON.stringify(received()));
    expect(result).toEqual({
      kind: 'event',
      event: {
        event: 'message.received',
        event_id: 'evt_my_1',
        occurred_at: '2026-02-24T10:05:00.000Z',
        inbox_id: 'inb_my',
        thread_id: 'thr_my',
        message: {
          id: 'evt_my_1',
          from: 'customer@example.com',
          to: 'agent@myagentmail.com, b@myagentmail.com',
          subject: 'Question',
          body_text: 'Plain words',
          received_at: '2026-02-24T10:05:00.000Z',
        },
      },
    });
  });

  it('prefers a message id when the provider sends one', () => {
    const frame = received();
    const result = myagentmail.classify(JSON.stringify({ ...frame, message: { ...frame.message, message_id: 'msg_9' } }));
    expect(result.kind === 'event' && result.event.message?.id).toBe('msg_9');
  });

  it('dates a timestampless event by the clock and fills an absent subject', () => {
    const frame = received();
    const message = { ...frame.message, timestamp: null, subject: null };
    const result = myagentmail.classify(JSON.stringify({ ...frame, message }));
    expect(result.kind === 'event' && result.event.occurred_at).toBe('2026-03-01T12:00:00.000Z');
    expect(result.kind === 'event' && result.event.message?.subject).toBe('');
    expect(result.kind === 'event' && 'received_at' in (result.event.message ?? {})).toBe(false);
  });

  it('refuses an event with a sender that is not a string', () => {
    const frame = received();
    const result = myagentmail.classify(JSON.stringify({ ...frame, message: { ...frame.message, from: { address: 'x' } } }));
    expect(result.kind === 'unknown' && result.reason).toContain('message.from');
  });
});

describe("myagentmail's blog form: {type: <event type>, data}", () => {
  const data = () => received().message;

  it.each(['message.received', 'message.bounced', 'message.delivered'])('reads %s with its message as an event', (type) => {
    const result = myagentmail.classify(JSON.stringify({ type, data: data() }));
    expect(result.kind).toBe('event');
    if (result.kind !== 'event') return;
    expect(result.event).toMatchObject({
      event: type,
      event_id: expect.stringMatching(/^evt_[0-9a-f]{24}$/),
      occurred_at: '2026-02-24T10:05:00.000Z',
      inbox_id: 'inb_my',
      thread_id: 'thr_my',
      message: { from: 'customer@example.com', to: 'agent@myagentmail.com, b@myagentmail.com', subject: 'Question', body_text: 'Plain words' },
    });
  });

  it('gives the same push the same event id, and another push another', () => {
    const once = myagentmail.classify(JSON.stringify({ type: 'message.received', data: data() }));
    const again = myagentmail.classify(JSON.stringify({ type: 'message.received', data: data() }));
    const other = myagentmail.classify(JSON.stringify({ type: 'message.received', data: { ...data(), subject: 'Other' } }));
    const ids = [once, again, other].map((frame) => (frame.kind === 'event' ? frame.event.event_id : null));
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).not.toBe(ids[0]);
    expect(myagentmail.classify(JSON.stringify({ type: 'message.received', data: { ...data(), event_id: 'evt_given' } }))).toMatchObject({
      kind: 'event',
      event: { event_id: 'evt_given' },
    });
  });

  it('keeps a body that is not a message under data', () => {
    const bounce = { inbox_id: 'inb_my', recipient: 'x@example.com', timestamp: '2026-02-24T10:06:00.000Z' };
    expect(myagentmail.classify(JSON.stringify({ type: 'message.bounced', data: bounce }))).toMatchObject({
      kind: 'event',
      event: { event: 'message.bounced', inbox_id: 'inb_my', occurred_at: bounce.timestamp, data: bounce },
    });
  });

  it('keys a received mail by the same fingerprint in both forms, and other types not at all', () => {
    const event = myagentmail.classify(JSON.stringify(received()));
    const blog = myagentmail.classify(JSON.stringify({ type: 'message.received', data: data() }));
    const bounced = myagentmail.classify(JSON.stringify({ type: 'message.bounced', data: data() }));
    if (event.kind !== 'event' || blog.kind !== 'event' || bounced.kind !== 'event') throw new Error('not events');
    expect(myagentmail.messageKey(event.event)).toMatch(/^fp:[0-9a-f]{32}$/);
    expect(myagentmail.messageKey(blog.event)).toBe(myagentmail.messageKey(event.event));
    expect(myagentmail.messageKey(bounced.event)).toBeNull();
  });

  it('counts a blog-form frame without data, or of another type, as unknown', () => {
    expect(myagentmail.classify('{"type":"message.received"}')).toEqual({ kind: 'unknown', reason: 'message.received frame without data' });
    expect(myagentmail.classify('{"type":"message.sent","data":{}}')).toEqual({ kind: 'unknown', reason: 'unrecognised frame type' });
  });
});

describe('myagentmail close and handshake policy', () => {
  it.each([401, 403])('asks for a new key when the handshake is refused with %i', (status) => {
    expect(myagentmail.onHandshakeStatus(status).action).toBe('needs_key');
  });

  it('reconnects after any close', () => {
    expect(myagentmail.onClose(1006, '').action).toBe('reconnect');
    expect(myagentmail.onClose(4001, '').action).toBe('reconnect');
  });
});
