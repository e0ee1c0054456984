import { describe, expect, it } from 'vitest';
import { sendCall, sentIds } from '../../../daemon/proxy/outgoing-mail.ts';

const MAIL = { to: ['ana@example.com'], subject: 'Hi', text: 'Hello', html: '<p>Hello</p>' };

describe('sendCall', () => {
  it("builds each provider's send", () => {
    expect(sendCall('openmail', 'inb_a', { ...MAIL, threadId: 'thr_1', cc: ['bo@example.com'] })).toEqual({
      path: '/v1/inboxes/inb_a/send',
      body: { to: 'ana@example.com', subject: 'Hi', body: 'Hello', bodyHtml: '<p>Hello</p>', threadId: 'thr_1', cc: ['bo@example.com'] },
    });
    expect(sendCall('agentmail', 'me@agentmail.to', MAIL)).toEqual({
      path: '/v0/inboxes/me%40agentmail.to/messages/send',
      body: { to: ['ana@example.com'], subject: 'Hi', text: 'Hello', html: '<p>Hello</p>' },
    });
    expect(sendCall('myagentmail', 'inb_a', MAIL)).toEqual({
      path: '/v1/inboxes/inb_a/send',
      body: { to: ['ana@example.com'], subject: 'Hi', plainBody: 'Hello', htmlBody: '<p>Hello</p>' },
    });
  });

  it('refuses what a provider cannot take', () => {
    expect(() => sendCall('openmail', 'inb_a', { ...MAIL, to: ['a@example.com', 'b@example.com'] })).toThrow(/one address per send/);
    expect(() => sendCall('openmail', 'inb_a', { ...MAIL, to: [] })).toThrow(/at least one recipient/);
    expect(() => sendCall('agentmail', 'inb_a', { ...MAIL, threadId: 'thr_1' })).toThrow(expect.objectContaining({ code: 'bad_request' }));
    expect(() => sendCall('myagentmail', 'inb_a', { to: ['a@example.com'], text: 'no subject' })).toThrow(/needs a subject/);
    expect(() => sendCall('openmail', 'inb_a', { ...MAIL, quote: false })).toThrow(/quote applies to replies only/);
  });

  it("builds each provider's reply: OpenMail by thread, with its quote option; AgentMail and myagentmail by message", () => {
    const reply = { to: ['ana@example.com'], text: 'Thanks', html: '<p>Thanks</p>', threadId: 'thr_1', replyToMessageId: 'msg/1' };
    expect(sendCall('openmail', 'inb_a', { ...reply, quote: false })).toEqual({
      path: '/v1/inboxes/inb_a/send',
      body: { to: 'ana@example.com', body: 'Thanks', bodyHtml: '<p>Thanks</p>', threadId: 'thr_1', includeQuote: false },
    });
    expect(sendCall('agentmail', 'me@agentmail.to', { ...reply, cc: ['bo@example.com'] })).toEqual({
      path: '/v0/inboxes/me%40agentmail.to/messages/msg%2F1/reply',
      body: { to: ['ana@example.com'], text: 'Thanks', html: '<p>Thanks</p>', cc: ['bo@example.com'] },
    });
    expect(sendCall('myagentmail', 'inb_a', reply)).toEqual({
      path: '/v1/inboxes/inb_a/reply/msg%2F1',
      body: { plainBody: 'Thanks', htmlBody: '<p>Thanks</p>' },
    });
  });

  it('refuses a reply a provider cannot make, saying why', () => {
    const reply = { to: ['ana@example.com'], text: 'Thanks', threadId: 'thr_1', replyToMessageId: 'msg_1' };
    expect(() => sendCall('openmail', 'inb_a', { to: ['ana@example.com'], text: 'Thanks', replyToMessageId: 'msg_1' })).toThrow(/names none/);
    expect(() => sendCall('agentmail', 'inb_a', { to: ['ana@example.com'], text: 'Thanks', threadId: 'thr_1' })).toThrow(/agentmail replies to a message/);
    expect(() => sendCall('agentmail', 'inb_a', { ...reply, quote: true })).toThrow(/no quoting option/);
    expect(() => sendCall('myagentmail', 'inb_a', { ...reply, subject: 'Re: hi' })).toThrow(/takes the thread's subject/);
    expect(() => sendCall('myagentmail', 'inb_a', { ...reply, cc: ['bo@example.com'] })).toThrow(/take no cc/);
  });
});

describe('sentIds', () => {
  it("reads the new message's and thread's ids from each provider's answer, and null where they are missing", () => {
    expect(sentIds('openmail', { messageId: 'msg_1', threadId: 'thr_1', providerMessageId: '<x@y>', status: 'sent' })).toEqual({ messageId: 'msg_1', threadId: 'thr_1' });
    expect(sentIds('agentmail', { message_id: 'm1', thread_id: 't1' })).toEqual({ messageId: 'm1', threadId: 't1' });
    expect(sentIds('myagentmail', { id: 'u1', threadId: 't1', messageId: '<u1@myagentmail.com>' })).toEqual({ messageId: 'u1', threadId: 't1' });
    expect(sentIds('openmail', 'not json')).toEqual({ messageId: null, threadId: null });
  });
});
