// The myagentmail-flavoured REST API over real HTTP: X-API-Key (or Bearer), offset paging with a pagination
// block, bodies in the list, sends, and myagentmail's `{ error, code }` errors.
import { afterEach, describe, expect, it } from 'vitest';
import type { DemoProvider } from '../../../../daemon/demo/server.ts';
import { call, INBOX_A, KEY, startDemo, stopDemos } from './rest-client.ts';

afterEach(stopDemos);

function myagentmail(options: Parameters<typeof startDemo>[0] = {}): Promise<DemoProvider> {
  return startDemo({ flavour: 'myagentmail', ...options });
}

describe('myagentmail REST: auth', () => {
  it('takes the key as X-API-Key or Bearer, and refuses others with 401 { error, code }', async () => {
    const demo = await myagentmail();
    expect((await call(demo, '/v1/inboxes')).status).toBe(200);
    expect((await call(demo, '/v1/inboxes', { key: null, headers: { Authorization: `Bearer ${KEY}` } })).status).toBe(200);
    expect(await call(demo, '/v1/inboxes', { key: null })).toEqual(expect.objectContaining({ status: 401, json: { error: 'Missing API key', code: 'unauthorized' } }));
    expect(await call(demo, '/v1/inboxes', { key: 'wk_wrong' })).toMatchObject({ status: 401, json: { code: 'unauthorized' } });
  });
});

describe('myagentmail REST: listings', () => {
  it('lists the inboxes', async () => {
    const demo = await myagentmail({ inboxes: [INBOX_A] });
    expect((await call(demo, '/v1/inboxes')).json).toEqual({
      inboxes: [
        {
          id: INBOX_A,
          email: 'agent@demo.openmail.sh',
          canonicalEmail: 'agent@demo.openmail.sh',
          username: 'agent',
          domain: 'demo.openmail.sh',
          displayName: null,
          workspaceId: 'wsp_demo',
          createdAt: expect.any(String),
        },
      ],
    });
  });

  it('lists messages newest first with bodies and a pagination block, paging by offset', async () => {
    const demo = await myagentmail({ inboxes: [INBOX_A] });
    const events = demo.emitMany(7);
    const first = await call(demo, `/v1/inboxes/${INBOX_A}/messages?limit=5`);
    const second = await call(demo, `/v1/inboxes/${INBOX_A}/messages?limit=5&offset=5`);
    expect(first.json.pagination).toEqual({ total: 7, limit: 5, offset: 0 });
    expect(second.json.pagination).toEqual({ total: 7, limit: 5, offset: 5 });
    const ids = [...first.json.messages, ...second.json.messages].map((message: { id: string }) => message.id);
    expect(ids).toEqual(events.map((event) => event.message!.id).reverse());
    const newest = events.at(-1)!;
    expect(first.json.messages[0]).toEqual({
      id: newest.message!.id,
      direction: 'inbound',
      from: newest.message!.from,
      to: newest.message!.to,
      subject: newest.message!.subject,
      plainBody: newest.message!.body_text,
      htmlBody: expect.stringMatching(/^<p>/),
      isRead: false,
      threadId: newest.thread_id,
      messageIdHeader: newest.message!.rfc_message_id,
      inReplyTo: null,
      receivedAt: newest.message!.received_at,
      attachments: newest.message!.attachments!.map((attachment) => ({
        id: expect.stringMatching(/^att_/),
        filename: attachment.filename,
        contentType: attachment.contentType,
        sizeBytes: attachment.sizeBytes,
      })),
    });
    expect(await call(demo, `/v1/inboxes/${INBOX_A}/messages?direction=up`)).toMatchObject({ status: 400, json: { code: 'invalid_request' } });
    expect(await call(demo, '/v1/inboxes/inb_nope/messages')).toMatchObject({ status: 404, json: { error: 'Inbox not found', code: 'not_found' } });
  });
});

describe('myagentmail REST: sends', () => {
  it('sends from an inbox; the message is listed as outbound', async () => {
    const demo = await myagentmail({ inboxes: [INBOX_A] });
    const sent = await call(demo, `/v1/inboxes/${INBOX_A}/send`, {
      method: 'POST',
      body: { to: 'lead@example.com', subject: 'Intro', plainBody: 'Hello', verified: true },
    });
    expect(sent).toMatchObject({ status: 200, json: { id: expect.stringMatching(/^msg_/), threadId: expect.any(String), status: 'sent', messageId: expect.stringMatching(/^<.+>$/) } });
    const outbound = await call(demo, `/v1/inboxes/${INBOX_A}/messages?direction=outbound`);
    expect(outbound.json.messages).toEqual([expect.objectContaining({ id: sent.json.id, direction: 'outbound', to: 'lead@example.com', plainBody: 'Hello', isRead: true })]);
    expect(await call(demo, `/v1/inboxes/${INBOX_A}/send`, { method: 'POST', body: { subject: 'no one' } })).toMatchObject({ status: 400, json: { code: 'invalid_request' } });
  });
});
