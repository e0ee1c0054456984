import { describe, expect, it } from 'vitest';
import { attachmentId, DemoMailbox, htmlFromText, messageFromEvent } from '../../../daemon/demo/mailbox.ts';
import { SampleGenerator } from '../../../daemon/demo/samples.ts';
import type { MailEvent } from '../../../shared/event.ts';

const INBOXES = [
  { id: 'inb_a', address: 'agent@demo.openmail.sh' },
  { id: 'inb_b', address: 'support@demo.openmail.sh' },
];
const T0 = Date.parse('2026-11-20T09:00:00.000Z');

function mailbox(limit?: number): { box: DemoMailbox; samples: SampleGenerator } {
  const now = () => T0;
  return {
    box: new DemoMailbox({ inboxes: INBOXES, now, ...(limit !== undefined && { limit }) }),
    samples: new SampleGenerator({ seed: 21, inboxes: INBOXES.map((inbox) => inbox.id), now }),
  };
}

function event(overrides: Partial<MailEvent> & { id: string; thread?: string; inbox?: string }): MailEvent {
  const { id, thread, inbox, ...rest } = overrides;
  return {
    event: 'message.received',
    event_id: `evt_${id}`,
    occurred_at: '2026-11-20T09:00:00.000Z',
    inbox_id: inbox ?? 'inb_a',
    thread_id: thread ?? `thr_${id}`,
    message: {
      id: `msg_${id}`,
      rfc_message_id: `<${id}@mail.example>`,
      from: 'dana@northwind.example',
      to: 'agent@demo.openmail.sh, ops@demo.openmail.sh',
      cc: ['lena@acme.example'],
      subject: `Subject ${id}`,
      body_text: 'Hello <team>,\n\nline two',
      attachments: [{ filename: 'a.pdf', contentType: 'application/pdf', sizeBytes: 10, parsedText: 'x', extractionMethod: 'pdf' }],
      received_at: '2026-11-20T09:00:01.000Z',
    },
    ...rest,
  };
}

describe('messageFromEvent', () => {
  it("keeps the event's ids and fields, lists the recipients and names each attachment stably", () => {
    expect(messageFromEvent(event({ id: '1' }))).toEqual({
      id: 'msg_1',
      inboxId: 'inb_a',
      threadId: 'thr_1',
      direction: 'inbound',
      eventId: 'evt_1',
      from: 'dana@northwind.example',
      to: ['agent@demo.openmail.sh', 'ops@demo.openmail.sh'],
      cc: ['lena@acme.example'],
      subject: 'Subject 1',
      text: 'Hello <team>,\n\nline two',
      html: '<p>Hello &#60;team&#62;,</p><p>line two</p>',
      rfcMessageId: '<1@mail.example>',
      inReplyTo: null,
      attachments: [
        { id: attachmentId('msg_1', 0), filename: 'a.pdf', contentType: 'application/pdf', sizeBytes: 10, parsedText: 'x', extractionMethod: 'pdf' },
      ],
      at: '2026-11-20T09:00:01.000Z',
    });
    expect(attachmentId('msg_1', 0)).toMatch(/^att_[0-9a-f]{12}$/);
    expect(attachmentId('msg_1', 1)).not.toBe(attachmentId('msg_1', 0));
  });

  it('is null for an event without a message or an inbox', () => {
    expect(messageFromEvent({ ...event({ id: '1' }), message: undefined })).toBeNull();
    expect(messageFromEvent({ ...event({ id: '1' }), inbox_id: null })).toBeNull();
  });

  it('escapes text into paragraphs and line breaks for the HTML part', () => {
    expect(htmlFromText('a & b\nc\n\n"d"')).toBe('<p>a &#38; b<br>c</p><p>&#34;d&#34;</p>');
  });
});

describe('DemoMailbox', () => {
  it('lists received sample mail per inbox, newest first, with the ids the events carry', () => {
    const { box, samples } = mailbox();
    const events = Array.from({ length: 30 }, () => samples.next());
    for (const each of events) box.receive(each);
    for (const inbox of INBOXES) {
      const expected = events.filter((each) => each.inbox_id === inbox.id).reverse();
      expect(box.messages(inbox.id).map((message) => [message.id, message.eventId, message.threadId])).toEqual(
        expected.map((each) => [each.message!.id, each.event_id, each.thread_id]),
      );
    }
    expect(box.all().map((message) => message.id)).toEqual(events.map((each) => each.message!.id));
  });

  it('keeps a message once, and ignores mail for an inbox the account lacks', () => {
    const { box } = mailbox();
    const first = box.receive(event({ id: '1' }));
    const again = event({ id: '1' });
    again.message!.subject = 'changed';
    expect(box.receive(again)).toBe(first);
    expect(first?.subject).toBe('Subject 1');
    expect(box.receive(event({ id: '2', inbox: 'inb_other' }))).toBeNull();
    expect(box.all()).toHaveLength(1);
  });

  it('groups a thread oldest first, marks it unread on new mail, and lists active threads first', () => {
    const { box } = mailbox();
    box.receive(event({ id: '1', thread: 'thr_x' }));
    box.receive(event({ id: '2', thread: 'thr_y' }));
    expect(box.setRead('thr_x', true)?.isRead).toBe(true);
    box.receive(event({ id: '3', thread: 'thr_x' }));
    expect(box.thread('thr_x')).toMatchObject({ inboxId: 'inb_a', subject: 'Subject 1', isRead: false, messageIds: ['msg_1', 'msg_3'] });
    expect(box.threadMessages('thr_x').map((message) => message.id)).toEqual(['msg_1', 'msg_3']);
    expect(box.threads('inb_a').map((thread) => thread.id)).toEqual(['thr_x', 'thr_y']);
    expect(box.setRead('thr_missing', true)).toBeUndefined();
  });

  it('sends a new message into a new, read thread, listed as outbound', () => {
    const { box } = mailbox();
    box.receive(event({ id: '1' }));
    const sent = box.send('inb_a', { to: ['x@y.example'], cc: [], subject: 'Hi', text: 'Body', html: null, threadId: null });
    if (typeof sent === 'string') throw new Error(sent);
    expect(sent).toMatchObject({
      inboxId: 'inb_a',
      direction: 'outbound',
      eventId: null,
      from: 'agent@demo.openmail.sh',
      to: ['x@y.example'],
      subject: 'Hi',
      html: '<p>Body</p>',
      inReplyTo: null,
      at: '2026-11-20T09:00:00.000Z',
    });
    expect(box.thread(sent.threadId)).toMatchObject({ isRead: true, messageIds: [sent.id] });
    expect(box.messages('inb_a', 'outbound').map((message) => message.id)).toEqual([sent.id]);
    expect(box.messages('inb_a', 'inbound').map((message) => message.id)).toEqual(['msg_1']);
    expect(box.messages('inb_a').map((message) => message.id)).toEqual([sent.id, 'msg_1']);
  });

  it('sends a reply into its thread, with "Re:", In-Reply-To, and the thread marked read', () => {
    const { box } = mailbox();
    box.receive(event({ id: '1', thread: 'thr_x' }));
    const sent = box.send('inb_a', { to: ['dana@northwind.example'], cc: [], subject: null, text: 'Thanks', html: null, threadId: 'thr_x' });
    if (typeof sent === 'string') throw new Error(sent);
    expect(sent).toMatchObject({ threadId: 'thr_x', subject: 'Re: Subject 1', inReplyTo: '<1@mail.example>' });
    expect(box.thread('thr_x')).toMatchObject({ isRead: true, messageIds: ['msg_1', sent.id] });
  });

  it('refuses a send from an unknown inbox or into an unknown or foreign thread', () => {
    const { box } = mailbox();
    box.receive(event({ id: '1', thread: 'thr_b', inbox: 'inb_b' }));
    const draft = { to: ['x@y.example'], cc: [], subject: 'Hi', text: 'Body', html: null };
    expect(box.send('inb_missing', { ...draft, threadId: null })).toBe('no_inbox');
    expect(box.send('inb_a', { ...draft, threadId: 'thr_missing' })).toBe('no_thread');
    expect(box.send('inb_a', { ...draft, threadId: 'thr_b' })).toBe('no_thread');
  });

  it('keeps at most its limit, dropping the oldest messages and their emptied threads', () => {
    const { box } = mailbox(2);
    box.receive(event({ id: '1', thread: 'thr_x' }));
    box.receive(event({ id: '2', thread: 'thr_y' }));
    box.receive(event({ id: '3', thread: 'thr_x' }));
    box.receive(event({ id: '4', thread: 'thr_z' }));
    expect(box.all().map((message) => message.id)).toEqual(['msg_3', 'msg_4']);
    expect(box.message('msg_1')).toBeUndefined();
    expect(box.thread('thr_y')).toBeUndefined();
    expect(box.thread('thr_x')?.messageIds).toEqual(['msg_3']);
  });
});
