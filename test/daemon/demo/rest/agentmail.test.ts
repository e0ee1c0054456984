// The AgentMail-flavoured REST API over real HTTP: /v0 paths, page tokens, list items without bodies, the whole
// message on its own call, attachments, sends, and AgentMail's error shape.
import { afterEach, describe, expect, it } from 'vitest';
import { attachmentBytes } from '../../../../daemon/demo/attachment-files.ts';
import { attachmentId } from '../../../../daemon/demo/mailbox.ts';
import type { DemoProvider } from '../../../../daemon/demo/server.ts';
import { call, INBOX_A, INBOX_B, type Reply, startDemo, stopDemos } from './rest-client.ts';

afterEach(stopDemos);

function agentmail(options: Parameters<typeof startDemo>[0] = {}): Promise<DemoProvider> {
  return startDemo({ flavour: 'agentmail', ...options });
}

async function pageIds(demo: DemoProvider, query: string): Promise<{ ids: string[]; next: string | undefined; json: Reply['json'] }> {
  const reply = await call(demo, `/v0/inboxes/${INBOX_A}/messages?${query}`);
  expect(reply.status).toBe(200);
  return { ids: reply.json.messages.map((message: { message_id: string }) => message.message_id), next: reply.json.next_page_token, json: reply.json };
}

describe('AgentMail REST: auth and errors', () => {
  it("refuses a missing or wrong Bearer key with 401 in AgentMail's error shape", async () => {
    const demo = await agentmail();
    expect(await call(demo, '/v0/inboxes', { key: null })).toMatchObject({
      status: 401,
      json: { name: 'UnauthorizedError', code: 'missing_authorization', message: 'Missing API key' },
    });
    expect(await call(demo, '/v0/inboxes', { key: 'am_wrong' })).toMatchObject({ status: 401, json: { code: 'unknown_api_key' } });
    expect(await call(demo, '/v1/inboxes')).toMatchObject({ status: 404, json: { name: 'NotFoundError', code: 'not_found' } });
  });
});

describe('AgentMail REST: inboxes', () => {
  it('pages the inboxes with next_page_token', async () => {
    const demo = await agentmail();
    const first = await call(demo, '/v0/inboxes?limit=1');
    expect(first.json).toEqual({
      count: 1,
      limit: 1,
      next_page_token: expect.any(String),
      inboxes: [{ pod_id: 'pod_demo', inbox_id: INBOX_A, email: 'agent@demo.openmail.sh', display_name: null, updated_at: expect.any(String), created_at: expect.any(String) }],
    });
    const second = await call(demo, `/v0/inboxes?limit=1&page_token=${first.json.next_page_token}`);
    expect(second.json.inboxes.map((inbox: { inbox_id: string }) => inbox.inbox_id)).toEqual([INBOX_B]);
    expect(second.json).not.toHaveProperty('next_page_token');
  });
});

describe('AgentMail REST: messages', () => {
  it('lists items without bodies, newest first, inbound mail labelled received', async () => {
    const demo = await agentmail({ inboxes: [INBOX_A] });
    const events = demo.emitMany(6);
    const { ids, next, json } = await pageIds(demo, '');
    expect(ids).toEqual(events.map((event) => event.message!.id).reverse());
    expect(next).toBeUndefined();
    expect(json).toMatchObject({ count: 6, limit: 50 });
    const newest = events.at(-1)!;
    expect(json.messages[0]).toEqual({
      inbox_id: INBOX_A,
      thread_id: newest.thread_id,
      message_id: newest.message!.id,
      labels: ['received', 'unread'],
      timestamp: newest.message!.received_at,
      from: newest.message!.from,
      to: [newest.message!.to],
      cc: newest.message!.cc,
      subject: newest.message!.subject,
      preview: expect.any(String),
      attachments: expect.any(Array),
      size: expect.any(Number),
      updated_at: newest.message!.received_at,
      created_at: newest.message!.received_at,
    });
    for (const item of json.messages) {
      for (const body of ['text', 'html', 'extracted_text']) expect(item).not.toHaveProperty(body);
    }
  });

  it('pages with page_token until known mail, unshifted by mail that arrives meanwhile', async () => {
    const demo = await agentmail({ inboxes: [INBOX_A] });
    const held = new Set(demo.emitMany(4).map((event) => event.message!.id));
    const fresh = demo.emitMany(9).map((event) => event.message!.id);
    const found: string[] = [];
    let query = 'limit=4';
    for (let pages = 0; pages < 10; pages++) {
      const page = await pageIds(demo, query);
      demo.emit();
      const known = page.ids.findIndex((id) => held.has(id));
      found.push(...(known === -1 ? page.ids : page.ids.slice(0, known)));
      if (known !== -1 || !page.next) break;
      query = `limit=4&page_token=${page.next}`;
    }
    expect(found).toEqual([...fresh].reverse());
  });

  it('filters by time, order and labels, given repeated or as a JSON list', async () => {
    const demo = await agentmail({ inboxes: [INBOX_A] });
    const times = ['2026-11-20T09:00:00.000Z', '2026-11-20T10:00:00.000Z', '2026-11-20T11:00:00.000Z'];
    const ids = times.map((at, i) => {
      const message = { id: `msg_t${i}`, from: 'x@example.com', to: 'agent@demo.openmail.sh', subject: `T${i}`, body_text: 'b', attachments: [], received_at: at };
      return demo.emit({ occurred_at: at, thread_id: `thr_t${i}`, message }).message!.id;
    });
    const timed = await pageIds(demo, `after=${encodeURIComponent(times[1]!)}&before=${encodeURIComponent(times[2]!)}`);
    expect(timed.ids).toEqual([ids[1]]);
    const up = await pageIds(demo, `ascending=true&after=${encodeURIComponent(times[0]!)}&limit=2`);
    expect(up.ids).toEqual([ids[0], ids[1]]);
    expect((await pageIds(demo, `ascending=true&after=${encodeURIComponent(times[0]!)}&limit=2&page_token=${up.next}`)).ids).toEqual([ids[2]]);

    const sent = await call(demo, `/v0/inboxes/${INBOX_A}/messages/send`, { method: 'POST', body: { to: 'x@example.com', subject: 'S', text: 'T' } });
    expect((await pageIds(demo, 'labels=sent')).ids).toEqual([sent.json.message_id]);
    expect((await pageIds(demo, `labels=${encodeURIComponent('["sent"]')}`)).ids).toEqual([sent.json.message_id]);
    expect((await pageIds(demo, 'labels=received&labels=sent')).ids).toEqual([]);
    expect((await pageIds(demo, 'labels=received')).ids).toEqual([...ids].reverse());
  });

  it('refuses malformed parameters with a ValidationError', async () => {
    const demo = await agentmail();
    for (const query of ['limit=0', 'ascending=maybe', 'before=yesterday', 'page_token=garbage', `labels=${encodeURIComponent('[1]')}`]) {
      const reply = await call(demo, `/v0/inboxes/${INBOX_A}/messages?${query}`);
      expect([query, reply.status, reply.json.name]).toEqual([query, 400, 'ValidationError']);
    }
    expect(await call(demo, '/v0/inboxes/inb_nope/messages')).toMatchObject({ status: 404, json: { name: 'NotFoundError' } });
  });

  it('gives the whole message, with text, html, extracted text and attachments, only from its own inbox', async () => {
    const demo = await agentmail({ inboxes: [INBOX_A] });
    let event = demo.emit();
    while (event.message!.attachments!.length === 0) event = demo.emit();
    const reply = await call(demo, `/v0/inboxes/${INBOX_A}/messages/${event.message!.id}`);
    expect(reply.json).toMatchObject({
      message_id: event.message!.id,
      text: event.message!.body_text,
      extracted_text: event.message!.body_text,
      html: expect.stringMatching(/^<p>/),
      attachments: event.message!.attachments!.map((attachment, index) => ({
        attachment_id: attachmentId(event.message!.id, index),
        filename: attachment.filename,
        size: attachment.sizeBytes,
        content_type: attachment.contentType,
        content_disposition: 'attachment',
      })),
    });
    expect((await call(demo, `/v0/inboxes/${INBOX_B}/messages/${event.message!.id}`)).status).toBe(404);

    const file = reply.json.attachments[0];
    const attachment = await call(demo, `/v0/inboxes/${INBOX_A}/messages/${event.message!.id}/attachments/${file.attachment_id}`);
    expect(attachment.json).toMatchObject({ attachment_id: file.attachment_id, filename: file.filename, download_url: expect.any(String) });
    expect(Date.parse(attachment.json.expires_at) - Date.now()).toBeGreaterThan(14 * 60 * 1000);
    const bytes = await call(demo, attachment.json.download_url, { key: null });
    expect(bytes.bytes.equals(attachmentBytes(event.message!.attachments![0]!))).toBe(true);
    expect((await call(demo, `/v0/inboxes/${INBOX_A}/messages/${event.message!.id}/attachments/att_nope`)).status).toBe(404);
  });
});

describe('AgentMail REST: sends', () => {
  it('sends, listed with the label sent; an optional Idempotency-Key replays or conflicts', async () => {
    const demo = await agentmail();
    const path = `/v0/inboxes/${INBOX_A}/messages/send`;
    const body = { to: ['a@example.com', 'b@example.com'], subject: 'Hi', text: 'Hello', html: '<p>Hello</p>' };
    const first = await call(demo, path, { method: 'POST', body, headers: { 'Idempotency-Key': 'k1' } });
    expect(first).toMatchObject({ status: 200, json: { message_id: expect.stringMatching(/^msg_/), thread_id: expect.stringMatching(/^thr_/) } });
    expect((await call(demo, path, { method: 'POST', body, headers: { 'Idempotency-Key': 'k1' } })).json).toEqual(first.json);
    expect(await call(demo, path, { method: 'POST', body: { ...body, text: 'x' }, headers: { 'Idempotency-Key': 'k1' } })).toMatchObject({
      status: 409,
      json: { name: 'ConflictError' },
    });
    expect((await call(demo, path, { method: 'POST', body })).status).toBe(200);
    const whole = await call(demo, `/v0/inboxes/${INBOX_A}/messages/${first.json.message_id}`);
    expect(whole.json).toMatchObject({ labels: ['sent'], to: body.to, subject: 'Hi', text: 'Hello', html: '<p>Hello</p>', from: 'agent@demo.openmail.sh' });
    expect(await call(demo, path, { method: 'POST', body: { subject: 'no one' } })).toMatchObject({ status: 400, json: { name: 'ValidationError' } });
  });
});
