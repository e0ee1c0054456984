import { describe, expect, it } from 'vitest';
import { sendCall } from '../../../daemon/proxy/outgoing-mail.ts';

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
  });
});
