// The myagentmail-flavoured frames, read back by the myagentmail adapter, in both push forms: the API reference's
// `{type:"event"}` and the blog post's `{type:"message.received",data}`.
import { describe, expect, it } from 'vitest';
import {
  myAgentMailConnectedFrame,
  myAgentMailDataFrame,
  myAgentMailErrorFrame,
  myAgentMailEventFrame,
  myAgentMailPingFrame,
  myAgentMailSubscribedFrame,
} from '../../../../daemon/demo/flavours/myagentmail.ts';
import { SampleGenerator } from '../../../../daemon/demo/samples.ts';
import { createMyAgentMailAdapter } from '../../../../daemon/providers/myagentmail.ts';
import type { MailEvent } from '../../../../shared/event.ts';

const CLOCK = () => Date.parse('2026-11-20T09:00:00.000Z');
const adapter = createMyAgentMailAdapter({ now: () => 0 });

function samples(count: number): MailEvent[] {
  const generator = new SampleGenerator({ seed: 41, now: CLOCK });
  return Array.from({ length: count }, () => generator.next());
}

/** What myagentmail's push keeps of a demo event. It has no message id: the adapter stands the event id in. */
function carried(event: MailEvent): MailEvent {
  const message = event.message!;
  return {
    event: event.event,
    event_id: event.event_id,
    occurred_at: message.received_at!,
    inbox_id: event.inbox_id,
    thread_id: event.thread_id!,
    message: {
      id: event.event_id,
      from: message.from,
      to: message.to,
      subject: message.subject,
      body_text: message.body_text!,
      received_at: message.received_at!,
    },
  };
}

describe('myAgentMailEventFrame', () => {
  it('is read back by the myagentmail adapter as the same event, as far as the push carries it', () => {
    for (const event of samples(40)) {
      expect(adapter.classify(JSON.stringify(myAgentMailEventFrame(event)))).toEqual({ kind: 'event', event: carried(event) });
    }
  });

  it("carries the documented fields, and no message id, as myagentmail's reference shows", () => {
    const [event] = samples(1);
    const frame = myAgentMailEventFrame(event!)!;
    expect(frame).toEqual({
      type: 'event',
      event_type: 'message.received',
      event_id: event!.event_id,
      message: {
        inbox_id: event!.inbox_id,
        thread_id: event!.thread_id,
        from: event!.message!.from,
        to: [event!.message!.to],
        subject: event!.message!.subject,
        plain_body: event!.message!.body_text,
        html_body: expect.stringMatching(/^<p>/),
        timestamp: event!.message!.received_at,
      },
      thread: { thread_id: event!.thread_id, subject: event!.message!.subject },
    });
  });

  it('has nothing to push for an event without a message', () => {
    const event: MailEvent = { event: 'inbox.suspended', event_id: 'evt_s', occurred_at: '2026-11-20T09:00:00.000Z', inbox_id: 'inb_a' };
    expect(myAgentMailEventFrame(event)).toBeNull();
    expect(myAgentMailDataFrame(event)).toBeNull();
  });
});

describe('myAgentMailDataFrame', () => {
  it("puts the event type in `type` and the pushed message under `data`, as myagentmail's blog post shows", () => {
    const [event] = samples(1);
    const frame = myAgentMailDataFrame(event!)!;
    expect(frame).toEqual({ type: 'message.received', data: (myAgentMailEventFrame(event!)!).message });
  });

  it('is read back by the adapter as the same mail as the event form: other event id, same message key', () => {
    for (const event of samples(40)) {
      const blog = adapter.classify(JSON.stringify(myAgentMailDataFrame(event)));
      if (blog.kind !== 'event') throw new Error(`not an event: ${JSON.stringify(blog)}`);
      const { event_id: _eventId, message, ...rest } = carried(event);
      const { id: _id, ...mail } = message!;
      expect(blog.event).toMatchObject({ ...rest, message: mail });
      expect(blog.event.event_id).not.toBe(event.event_id);
      expect(adapter.messageKey(blog.event)).toBe(adapter.messageKey(carried(event)));
    }
  });
});

describe('myagentmail control frames', () => {
  it('are read back by the adapter', () => {
    expect(adapter.classify(JSON.stringify(myAgentMailConnectedFrame({ id: 'inb_a', address: 'agent@demo.openmail.sh' })))).toEqual({
      kind: 'connected',
    });
    expect(adapter.classify(JSON.stringify(myAgentMailSubscribedFrame([], ['message.received'])))).toEqual({
      kind: 'subscribed',
      inboxIds: [],
      eventTypes: ['message.received'],
    });
    expect(adapter.classify(JSON.stringify(myAgentMailPingFrame()))).toEqual({ kind: 'ping', reply: '{"type":"pong"}' });
    expect(adapter.classify(JSON.stringify(myAgentMailErrorFrame('Invalid API key')))).toEqual({
      kind: 'error',
      error: 'unauthorized',
      message: 'Invalid API key',
    });
  });
});
