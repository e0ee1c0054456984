// The OpenMail-flavoured REST API over real HTTP: listings over the mail the demo pushes, auth, limits,
// attachments behind signed links, and sends with Idempotency-Key.
import { afterEach, describe, expect, it } from 'vitest';
import { attachmentBytes } from '../../../../daemon/demo/attachment-files.ts';
import type { DemoProvider } from '../../../../daemon/demo/server.ts';
import type { MailEvent } from '../../../../shared/event.ts';
import { call, INBOX_A, INBOX_B, KEY, startDemo, stopDemos } from './rest-client.ts';

afterEach(stopDemos);

function inboxOf(events: MailEvent[], inbox: string): MailEvent[] {
  return events.filter((event) => event.inbox_id === inbox);
}

function withAttachment(demo: DemoProvider): MailEvent {
  for (let i = 0; i < 200; i++) {
    const event = demo.emit();
    if ((event.message!.attachments ?? []).length > 0) return event;
  }
  throw new Error('no sample mail with an attachment');
}

function send(demo: DemoProvider, inbox: string, body: unknown, key: string | null = 'idem-1') {
  return call(demo, `/v1/inboxes/${inbox}/send`, { method: 'POST', body, headers: key === null ? {} : { 'Idempotency-Key': key } });
}

describe('OpenMail REST: listings', () => {
  it('lists the inboxes', async () => {
    const demo = await startDemo();
    const reply = await call(demo, '/v1/inboxes');
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({
      data: [
        { id: INBOX_A, address: 'agent@demo.openmail.sh', podId: 'pod_demo', displayName: null, createdAt: expect.any(String) },
        { id: INBOX_B, address: 'support@demo.openmail.sh', podId: 'pod_demo', displayName: null, createdAt: expect.any(String) },
      ],
      total: 2,
    });
  });

  it('lists the pushed mail newest first, with the same ids and camelCase fields, without any socket connected', async () => {
    const demo = await startDemo();
    const events = inboxOf(demo.emitMany(20), INBOX_A);
    const reply = await call(demo, `/v1/inboxes/${INBOX_A}/messages`);
    expect(reply.status).toBe(200);
    expect(reply.json.total).toBe(events.length);
    expect(reply.json.data.map((message: { id: string }) => message.id)).toEqual(events.map((event) => event.message!.id).reverse());
    const newest = events.at(-1)!;
    expect(reply.json.data[0]).toEqual({
      id: newest.message!.id,
      threadId: newest.thread_id,
      direction: 'inbound',
      fromAddr: newest.message!.from,
      toAddr: 'agent@demo.openmail.sh',
      headerTo: newest.message!.to,
      deliveryRole: 'to',
      cc: newest.message!.cc,
      subject: newest.message!.subject,
      bodyText: newest.message!.body_text,
      bodyHtml: expect.stringMatching(/^<p>/),
      attachments: newest.message!.attachments!.map((attachment) => ({
        filename: attachment.filename,
        contentType: attachment.contentType,
        sizeBytes: attachment.sizeBytes,
        url: `${demo.restUrl}/v1/attachments/${newest.message!.id}/${encodeURIComponent(attachment.filename)}`,
      })),
      status: 'received',
      createdAt: newest.message!.received_at,
    });
  });

  it('pages by limit and offset until it meets mail already held, and finds every new message once', async () => {
    const demo = await startDemo({ inboxes: [INBOX_A] });
    const held = new Set(demo.emitMany(5).map((event) => event.message!.id));
    const fresh = demo.emitMany(23).map((event) => event.message!.id);
    const found: string[] = [];
    let pages = 0;
    for (let offset = 0; ; offset += 10) {
      const page = await call(demo, `/v1/inboxes/${INBOX_A}/messages?limit=10&offset=${offset}`);
      pages++;
      const ids = page.json.data.map((message: { id: string }) => message.id);
      const known = ids.findIndex((id: string) => held.has(id));
      found.push(...(known === -1 ? ids : ids.slice(0, known)));
      if (known !== -1 || ids.length < 10) break;
    }
    expect(pages).toBe(3);
    expect(found).toEqual([...fresh].reverse());
  });

  it('filters by direction, and answers bad parameters and unknown inboxes in OpenMail error shape', async () => {
    const demo = await startDemo();
    demo.emitMany(4);
    expect((await call(demo, `/v1/inboxes/${INBOX_A}/messages?direction=outbound`)).json).toEqual({ data: [], total: 0 });
    for (const query of ['limit=0', 'limit=101', 'offset=-1', 'limit=abc', 'direction=sideways']) {
      const reply = await call(demo, `/v1/inboxes/${INBOX_A}/messages?${query}`);
      expect([query, reply.status, reply.json.error]).toEqual([query, 400, 'validation_error']);
    }
    expect(await call(demo, '/v1/inboxes/inb_nope/messages')).toMatchObject({ status: 404, json: { error: 'not_found', message: 'Inbox not found' } });
    expect(await call(demo, '/v1/nothing')).toMatchObject({ status: 404, json: { error: 'not_found' } });
    expect(await call(demo, '/v0/inboxes')).toMatchObject({ status: 404, json: { error: 'not_found' } });
  });
});

describe('OpenMail REST: auth and the account limit', () => {
  it('refuses a missing, wrong or revoked key with 401, and takes any key when none is set', async () => {
    const demo = await startDemo();
    expect(await call(demo, '/v1/inboxes', { key: null })).toMatchObject({ status: 401, json: { error: 'unauthorized', message: 'Missing API key' } });
    expect(await call(demo, '/v1/inboxes', { key: 'om_wrong' })).toMatchObject({ status: 401, json: { error: 'unauthorized', message: 'Invalid API key' } });
    expect(await call(demo, '/v1/inboxes', { key: KEY, headers: { Authorization: `Basic ${KEY}` } })).toMatchObject({ status: 401 });
    demo.revokeKey();
    expect((await call(demo, '/v1/inboxes')).status).toBe(401);
    demo.setApiKey('om_rotated');
    expect((await call(demo, '/v1/inboxes', { key: 'om_rotated' })).status).toBe(200);

    const open = await startDemo({ apiKey: null });
    expect((await call(open, '/v1/inboxes', { key: null })).status).toBe(200);
    expect((await call(open, '/v1/inboxes', { key: 'anything' })).status).toBe(200);
  });

  it('answers 429 with Retry-After past the requests a minute, counting only accepted calls', async () => {
    const demo = await startDemo({ rest: { requestsPerMinute: 5 } });
    for (let i = 0; i < 3; i++) expect((await call(demo, '/v1/inboxes', { key: 'om_wrong' })).status).toBe(401);
    for (let i = 0; i < 5; i++) expect((await call(demo, '/v1/inboxes')).status).toBe(200);
    const limited = await call(demo, '/v1/inboxes');
    expect(limited).toMatchObject({ status: 429, json: { error: 'rate_limit_exceeded' } });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
  });
});

describe('OpenMail REST: attachments', () => {
  it("serves the pushed event's signed link, and the API route redirects to a fresh one", async () => {
    const demo = await startDemo();
    const event = withAttachment(demo);
    const attachment = event.message!.attachments![0]!;
    expect(attachment.url).toMatch(new RegExp(`^${demo.restUrl}/storage/`));
    const direct = await call(demo, attachment.url!, { key: null });
    expect(direct.status).toBe(200);
    expect(direct.headers.get('content-type')).toBe(attachment.contentType);
    expect(direct.bytes.equals(attachmentBytes(attachment))).toBe(true);
    expect(direct.bytes.length).toBe(attachment.sizeBytes);

    const route = `/v1/attachments/${event.message!.id}/${encodeURIComponent(attachment.filename)}`;
    expect((await call(demo, route, { key: null })).status).toBe(401);
    const redirect = await call(demo, route);
    expect(redirect.status).toBe(302);
    const location = redirect.headers.get('location')!;
    expect(location).not.toBe(attachment.url);
    const fetched = await call(demo, location, { key: null });
    expect([fetched.status, fetched.bytes.equals(direct.bytes)]).toEqual([200, true]);
    expect(await call(demo, `/v1/attachments/${event.message!.id}/nope.pdf`)).toMatchObject({ status: 404, json: { error: 'not_found' } });
  });

  it('answers an expired or forged link with 403, as object storage does, while the route still gives a working one', async () => {
    const demo = await startDemo();
    const event = withAttachment(demo);
    const attachment = event.message!.attachments![0]!;
    demo.expireAttachmentLinks();
    const expired = await call(demo, attachment.url!, { key: null });
    expect(expired.status).toBe(403);
    expect(expired.headers.get('content-type')).toBe('application/xml');
    expect(expired.bytes.toString()).toContain('<Code>AccessDenied</Code><Message>Request has expired</Message>');

    const forged = new URL(attachment.url!);
    forged.searchParams.set('expires', String(Date.now() + 3_600_000));
    expect((await call(demo, forged.href, { key: null })).bytes.toString()).toContain('<Code>SignatureDoesNotMatch</Code>');

    const redirect = await call(demo, `/v1/attachments/${event.message!.id}/${encodeURIComponent(attachment.filename)}`);
    expect((await call(demo, redirect.headers.get('location')!, { key: null })).status).toBe(200);
  });

  it('lets links expire after the configured lifetime', async () => {
    const demo = await startDemo({ rest: { attachmentLinkTtlMs: 300 } });
    const attachment = withAttachment(demo).message!.attachments![0]!;
    expect((await call(demo, attachment.url!, { key: null })).status).toBe(200);
    const deadline = Date.now() + 5_000;
    let status = 200;
    while (status === 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = (await call(demo, attachment.url!, { key: null })).status;
    }
    expect(status).toBe(403);
  });
});

describe('OpenMail REST: sends', () => {
  const body = { to: 'customer@example.com', subject: 'Hello', body: 'Hi there' };

  it('refuses a send without an Idempotency-Key', async () => {
    const demo = await startDemo();
    expect(await send(demo, INBOX_A, body, null)).toMatchObject({ status: 400, json: { error: 'missing_idempotency_key' } });
    expect(demo.mailbox.messages(INBOX_A, 'outbound')).toEqual([]);
  });

  it('sends once per key: the same key and body get the first answer, another body is refused', async () => {
    const demo = await startDemo();
    const first = await send(demo, INBOX_A, body);
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ messageId: expect.stringMatching(/^msg_/), threadId: expect.stringMatching(/^thr_/), providerMessageId: expect.any(String), status: 'sent' });
    expect((await send(demo, INBOX_A, body)).json).toEqual(first.json);
    expect(await send(demo, INBOX_A, { ...body, body: 'Changed' })).toMatchObject({ status: 409, json: { error: 'idempotency_key_reused' } });

    const outbound = await call(demo, `/v1/inboxes/${INBOX_A}/messages?direction=outbound`);
    expect(outbound.json.total).toBe(1);
    expect(outbound.json.data[0]).toMatchObject({
      id: first.json.messageId,
      threadId: first.json.threadId,
      direction: 'outbound',
      fromAddr: 'agent@demo.openmail.sh',
      toAddr: 'customer@example.com',
      subject: 'Hello',
      bodyText: 'Hi there',
      status: 'sent',
    });
  });

  it('validates the body and the inbox', async () => {
    const demo = await startDemo();
    for (const [bad, key] of [
      [{ ...body, to: 'nobody' }, 'k1'],
      [{ ...body, body: '' }, 'k2'],
      [{ to: body.to, body: body.body }, 'k3'],
      ['not json', 'k4'],
    ] as const) {
      expect(await send(demo, INBOX_A, bad, key)).toMatchObject({ status: 400, json: { error: 'validation_error' } });
    }
    expect((await send(demo, 'inb_nope', body, 'k5')).status).toBe(404);
    expect((await send(demo, INBOX_A, { ...body, threadId: 'thr_nope' }, 'k6')).status).toBe(404);
  });

  it('replies in a thread: Re: subject, quoted text, and the thread marked read', async () => {
    const demo = await startDemo({ inboxes: [INBOX_A] });
    const event = demo.emit();
    const reply = await send(demo, INBOX_A, { to: event.message!.from, body: 'Thanks!', threadId: event.thread_id }, 'reply-1');
    expect(reply.json.threadId).toBe(event.thread_id);
    const thread = await call(demo, `/v1/threads/${event.thread_id}/messages`);
    expect(thread.json.data.map((message: { id: string }) => message.id)).toEqual([event.message!.id, reply.json.messageId]);
    expect(thread.json.data[1].subject).toBe(event.message!.subject.startsWith('Re: ') ? event.message!.subject : `Re: ${event.message!.subject}`);
    expect(thread.json.data[1].bodyText).toMatch(/^Thanks!\n\nOn .+ wrote:\n> /);
    expect((await call(demo, `/v1/inboxes/${INBOX_A}/threads?is_read=true`)).json.data.map((t: { id: string }) => t.id)).toEqual([event.thread_id]);
  });

  it('allows 10 sends a minute per inbox, then 429 with Retry-After; replays and other inboxes still answer', async () => {
    const demo = await startDemo();
    for (let i = 0; i < 10; i++) expect((await send(demo, INBOX_A, { ...body, body: `n${i}` }, `a${i}`)).status).toBe(200);
    const limited = await send(demo, INBOX_A, { ...body, body: 'n10' }, 'a10');
    expect(limited).toMatchObject({ status: 429, json: { error: 'rate_limit_exceeded' } });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await send(demo, INBOX_A, { ...body, body: 'n0' }, 'a0')).status).toBe(200);
    expect((await send(demo, INBOX_B, body, 'b0')).status).toBe(200);
    expect(demo.mailbox.messages(INBOX_A, 'outbound')).toHaveLength(10);
    // A key refused by the limit was not used up: it sends once the limit allows.
    const later = await startDemo({ rest: { sendsPerMinute: 1 } });
    expect((await send(later, INBOX_A, body, 'x1')).status).toBe(200);
    expect((await send(later, INBOX_A, { ...body, body: 'other' }, 'x2')).status).toBe(429);
    expect(later.mailbox.messages(INBOX_A, 'outbound')).toHaveLength(1);
  });
});

describe('OpenMail REST: threads', () => {
  it('marks a thread read or unread with PATCH, and lists threads by read state', async () => {
    const demo = await startDemo({ inboxes: [INBOX_A] });
    const [a, b] = [demo.emit({ thread_id: 'thr_one' }), demo.emit({ thread_id: 'thr_two' })];
    const unread = async () => (await call(demo, `/v1/inboxes/${INBOX_A}/threads?is_read=false`)).json.data.map((t: { id: string }) => t.id);
    expect(await unread()).toEqual(['thr_two', 'thr_one']);
    expect(await call(demo, '/v1/threads/thr_one', { method: 'PATCH', body: { is_read: true } })).toMatchObject({ status: 200, json: { ok: true } });
    expect(await unread()).toEqual(['thr_two']);
    const threads = await call(demo, `/v1/inboxes/${INBOX_A}/threads`);
    expect(threads.json.data[1]).toEqual({
      id: 'thr_one',
      inboxId: INBOX_A,
      subject: a.message!.subject,
      lastMessageAt: a.message!.received_at,
      isRead: true,
      messageCount: 1,
    });
    expect(b.thread_id).toBe('thr_two');
    expect((await call(demo, '/v1/threads/thr_one', { method: 'PATCH', body: { is_read: 'yes' } })).status).toBe(400);
    expect((await call(demo, '/v1/threads/thr_nope', { method: 'PATCH', body: { is_read: true } })).status).toBe(404);
    expect((await call(demo, '/v1/threads/thr_nope/messages')).status).toBe(404);
  });
});
