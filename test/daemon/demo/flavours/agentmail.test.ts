// The AgentMail-flavoured frames, read back by the AgentMail adapter: what the demo pushes in AgentMail's
// format must become the same event the demo emitted, as far as AgentMail's format carries it.
import { describe, expect, it } from 'vitest';
import {
  agentMailErrorFrame,
  agentMailEventFrame,
  agentMailSubscribedFrame,
  agentMailThread,
} from '../../../../daemon/demo/flavours/agentmail.ts';
import { DemoMailbox, attachmentId } from '../../../../daemon/demo/mailbox.ts';
import { SampleGenerator } from '../../../../daemon/demo/samples.ts';
import { createAgentMailAdapter } from '../../../../daemon/providers/agentmail.ts';
import type { MailEvent } from '../../../../shared/event.ts';

const CLOCK = () => Date.parse('2026-11-20T09:00:00.000Z');
const adapter = createAgentMailAdapter({ now: () => 0 });

function samples(count: number): MailEvent[] {
  const generator = new SampleGenerator({ seed: 31, now: CLOCK });
  return Array.from({ length: count }, () => generator.next());
}

/** What AgentMail's format keeps of a demo event: no RFC Message-ID, delivery stamps, or attachment links; its files
 * are named by their AgentMail attachment id. */
function carried(event: MailEvent): MailEvent {
  const message = event.message!;
  return {
    event: event.event,
    event_id: event.event_id,
    occurred_at: message.received_at!,
    inbox_id: event.inbox_id,
    thread_id: event.thread_id!,
    message: {
      id: message.id,
      from: message.from,
      to: message.to,
      cc: message.cc!,
      subject: message.subject,
      body_text: message.body_text!,
      attachments: message.attachments!.map(({ filename, contentType, sizeBytes }, index) => ({
        filename,
        contentType,
        sizeBytes,
        attachmentId: attachmentId(message.id, index),
      })),
      received_at: message.received_at!,
    },
  };
}

describe('agentMailEventFrame', () => {
  it('is read back by the AgentMail adapter as the same event, for every kind of sample mail', () => {
    const events = samples(60);
    expect(events.some((event) => event.message!.attachments!.length > 0)).toBe(true);
    for (const event of events) {
      expect(adapter.classify(JSON.stringify(agentMailEventFrame(event)))).toEqual({ kind: 'event', event: carried(event) });
    }
  });

  it("carries the message and thread in AgentMail's documented fields", () => {
    const event = samples(60).find((each) => each.message!.attachments!.length > 0)!;
    const frame = agentMailEventFrame(event);
    expect(Object.keys(frame).sort()).toEqual(['event_id', 'event_type', 'message', 'thread', 'type']);
    expect(frame).toMatchObject({ type: 'event', event_type: 'message.received', event_id: event.event_id });
    const message = frame.message as Record<string, unknown>;
    expect(message).toMatchObject({
      inbox_id: event.inbox_id,
      thread_id: event.thread_id,
      message_id: event.message!.id,
      labels: ['received', 'unread'],
      timestamp: event.message!.received_at,
      to: [event.message!.to],
      text: event.message!.body_text,
      extracted_text: event.message!.body_text,
      html: expect.stringMatching(/^<p>/),
      preview: expect.any(String),
    });
    expect(message.attachments).toEqual(
      event.message!.attachments!.map((attachment, index) => ({
        attachment_id: attachmentId(event.message!.id, index),
        filename: attachment.filename,
        size: attachment.sizeBytes,
        content_type: attachment.contentType,
        content_disposition: 'attachment',
      })),
    );
    expect(frame.thread).toMatchObject({ thread_id: event.thread_id, last_message_id: event.message!.id, message_count: 1 });
  });

  it('describes the whole thread when the mailbox knows it', () => {
    const inbox = { id: 'inb_a', address: 'agent@demo.openmail.sh' };
    const box = new DemoMailbox({ inboxes: [inbox], now: CLOCK });
    const generator = new SampleGenerator({ seed: 32, inboxes: [inbox.id], now: CLOCK });
    const events = Array.from({ length: 80 }, () => generator.next());
    for (const event of events) box.receive(event);
    const thread = box.threads(inbox.id).find((each) => each.messageIds.length > 1)!;
    const last = box.threadMessages(thread.id).at(-1)!;
    const event = events.find((each) => each.message!.id === last.id)!;
    const view = { id: thread.id, subject: thread.subject, isRead: thread.isRead, messages: box.threadMessages(thread.id) };
    const frame = agentMailEventFrame(event, view);
    expect(frame.thread).toEqual(agentMailThread(last, view));
    expect(frame.thread).toMatchObject({ message_count: thread.messageIds.length, subject: thread.subject, last_message_id: last.id });
  });

  it('carries the body of an event without a message under its own key', () => {
    const bounce = { type: 'permanent', recipients: ['gone@example.com'] };
    const event: MailEvent = { event: 'message.bounced', event_id: 'evt_b', occurred_at: '2026-11-20T09:00:00.000Z', inbox_id: 'inb_a', bounce };
    const frame = agentMailEventFrame(event);
    expect(frame).toEqual({ type: 'event', event_type: 'message.bounced', event_id: 'evt_b', bounce });
    expect(adapter.classify(JSON.stringify(frame))).toMatchObject({ kind: 'event', event: { event: 'message.bounced', bounce } });
  });
});

describe('AgentMail control frames', () => {
  it('are read back by the adapter', () => {
    expect(adapter.classify(JSON.stringify(agentMailSubscribedFrame(['inb_a'], ['message.received'])))).toEqual({
      kind: 'subscribed',
      inboxIds: ['inb_a'],
      eventTypes: ['message.received'],
    });
    expect(adapter.classify(JSON.stringify(agentMailErrorFrame('AuthenticationError', 'Invalid API key')))).toEqual({
      kind: 'error',
      error: 'unauthorized',
      message: 'AuthenticationError: Invalid API key',
    });
  });
});
