import { describe, expect, it } from 'vitest';
import { readProviderPath } from '../../../daemon/proxy/provider-paths.ts';

describe('readProviderPath', () => {
  it.each([
    ['openmail', 'POST', '/v1/inboxes/inb_a/send', 'inb_a', true],
    ['openmail', 'GET', '/v1/inboxes/inb_a/messages', 'inb_a', false],
    ['openmail', 'GET', '/v1/inboxes', null, false],
    ['openmail', 'PATCH', '/v1/threads/thr_1', null, false],
    ['openmail', 'GET', '/v1/attachments/msg_1/a.pdf', null, false],
    ['openmail', 'GET', '/v1/inboxes/inb_a/send', 'inb_a', false],
    ['agentmail', 'POST', '/v0/inboxes/a%40agentmail.to/messages/send', 'a@agentmail.to', true],
    ['agentmail', 'POST', '/v0/inboxes/a%40agentmail.to/messages/msg_1/reply-all', 'a@agentmail.to', true],
    ['agentmail', 'POST', '/v0/inboxes/a%40agentmail.to/drafts/d_1/send', 'a@agentmail.to', true],
    ['agentmail', 'POST', '/v0/inboxes/a%40agentmail.to/messages/batch-get', 'a@agentmail.to', false],
    ['agentmail', 'POST', '/v1/inboxes/inb_a/send', null, false],
    ['myagentmail', 'POST', '/v1/inboxes/inb_a/send', 'inb_a', true],
    ['myagentmail', 'POST', '/v1/inboxes/inb_a/drafts/d_1/send', 'inb_a', true],
    ['myagentmail', 'POST', '/v1/inboxes/inb_a/reply/msg_1', 'inb_a', true],
    ['myagentmail', 'POST', '/v1/inboxes/inb_a/reply-all/msg_1', 'inb_a', true],
    ['myagentmail', 'GET', '/v1/inboxes/inb_a/reply/msg_1', 'inb_a', false],
  ] as const)('%s %s %s: inbox %s, send %s', (provider, method, raw, inboxId, send) => {
    const path = readProviderPath(provider, method, raw);
    expect(path.raw).toBe(raw);
    expect(path.inboxId).toBe(inboxId);
    expect(path.send).toBe(send);
  });

  it('refuses segments that a server behind could read as another path', () => {
    for (const raw of ['v1/inboxes', '/v1//inboxes', '/v1/inboxes/', '/v1/inboxes/a%2Fb/send', '/v1/inboxes/a%5Cb', '/v1/inboxes/%2E%2E/send', '/v1/inboxes/./send', '/v1/inboxes/a%0Ab', '/v1/inboxes/%E0%A4%A']) {
      expect(() => readProviderPath('openmail', 'GET', raw), raw).toThrow(expect.objectContaining({ code: 'bad_request' }));
    }
  });
});
