// The acting tools (send_email, reply_to_email, mark_read) over Streamable HTTP, driven by the SDK's own Client with
// agent tokens against a real engine whose account speaks to the demo provider's OpenMail REST API through the proxy:
// what reaches the provider, who may act, that a repeated call sends once, the send limit's answers, threading, the
// thread marked read, and the choices an agent is asked to make.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../../shared/principal.ts';
import { chooseAccount, chooseInbox } from '../../../daemon/mcp/send-tools.ts';
import { INBOX, OTHER_INBOX, startEngineWithDemo, type EngineWithDemo } from './engine-with-demo.ts';

let h: EngineWithDemo;
let owner: Client;

beforeAll(async () => {
  h = await startEngineWithDemo();
  owner = await h.client('owner-agent');
});

afterAll(async () => {
  await h?.stop();
});

type CallResult = Awaited<ReturnType<Client['callTool']>>;

function text(result: CallResult): string {
  return (result.content as Array<{ type: string; text: string }>).map((part) => part.text).join('\n');
}

function answer(result: CallResult): Record<string, unknown> {
  expect(result.isError, text(result)).toBeFalsy();
  return result.structuredContent as Record<string, unknown>;
}

/** An MCP client for a new agent token (shown once, as `mailbridge token create` shows it). */
async function agent(name: string, scope: 'read' | 'send', inboxIds: string[] = []): Promise<Client> {
  const { token } = h.daemon.tokens.create({ name, scope, inboxIds, allowSenders: [] });
  return h.client(name, token);
}

const outbound = (inbox = INBOX) => h.demo.mailbox.messages(inbox, 'outbound');

let mails = 0;
/** A new mail, unique per call, so no test answers another's. */
function newMail(subject: string) {
  mails += 1;
  return { to: 'ana@example.com', subject: `${subject} #${mails}`, text: `Body of mail ${mails}.` };
}

describe('send_email', () => {
  it("reaches the provider with the account's key and an Idempotency-Key, from the token's only inbox; the agent never sees the key", async () => {
    const mailer = await agent('mailer', 'send', [INBOX]);
    const before = outbound().length;
    const mail = newMail('Hello from the tool');
    const result = await mailer.callTool({ name: 'send_email', arguments: mail });
    // The demo refuses a send without the account's Bearer key (401) or without an Idempotency-Key (400).
    const sent = answer(result);
    expect(sent).toMatchObject({
      status: 'sent',
      account: 'work',
      inbox_id: INBOX,
      to: ['ana@example.com'],
      message_id: expect.stringMatching(/^msg_/),
      thread_id: expect.stringMatching(/^thr_/),
      queued_ms: 0,
      provider_status: 200,
      idempotency_key: expect.stringMatching(/^mb-/),
      repeated: false,
    });
    expect(text(result)).toBe(`Sent from ${INBOX} (account work) to ana@example.com: message ${sent.message_id} in thread ${sent.thread_id}.`);
    expect(outbound().length).toBe(before + 1);
    expect(outbound()[0]).toMatchObject({ id: sent.message_id, to: ['ana@example.com'], subject: mail.subject, text: mail.text });
    expect(JSON.stringify(result)).not.toContain(h.apiKey);
    expect(h.daemon.audit.page({ token: 'mailer' }).entries[0]).toMatchObject({
      via: 'mcp:send_email',
      method: 'POST',
      path: `/v1/inboxes/${INBOX}/send`,
      inboxId: INBOX,
      status: 200,
      idempotencyKey: sent.idempotency_key,
    });
  });

  it('asks for the account or inbox when there is a choice, and lists the choices', async () => {
    await h.mail({ from: 'ops@northwind.example', subject: 'To the first inbox', body: '.', inbox: INBOX });
    await h.mail({ from: 'ops@northwind.example', subject: 'To the second inbox', body: '.', inbox: OTHER_INBOX });
    const noInbox = await owner.callTool({ name: 'send_email', arguments: newMail('Where from?') });
    expect(noInbox.isError).toBe(true);
    expect(text(noInbox)).toBe(
      `pass inbox_id: account work is not set to particular inboxes, so there is no one to choose (inboxes with recent mail: ${[INBOX, OTHER_INBOX].sort().join(', ')})`,
    );
    const noAccount = await owner.callTool({ name: 'send_email', arguments: { ...newMail('Which account?'), account: 'personal', inbox_id: INBOX } });
    expect(noAccount.isError).toBe(true);
    expect(text(noAccount)).toBe('no account named "personal" can send; the accounts that can: work');
    const chosen = await owner.callTool({ name: 'send_email', arguments: { ...newMail('From the second inbox'), account: 'work', inbox_id: OTHER_INBOX } });
    expect(answer(chosen)).toMatchObject({ status: 'sent', inbox_id: OTHER_INBOX });
  });

  it("hands back the provider's refusal as a refused answer, with nothing sent", async () => {
    const result = await owner.callTool({ name: 'send_email', arguments: { ...newMail('Nowhere'), inbox_id: 'inb_missing' } });
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toMatchObject({ status: 'refused', provider_status: 404, message_id: null, provider_error: expect.stringContaining('not_found') });
    expect(text(result)).toMatch(/^Not sent: openmail refused it with 404: /);
  });

  it('refuses mail that would add a header, and addresses with names, before anything goes out', async () => {
    const before = outbound().length;
    for (const bad of [{ subject: 'Hi\r\nBcc: eve@evil.example' }, { to: 'Ana <ana@example.com>' }, { to: 'ana@example.com\nBcc: eve@evil.example' }]) {
      const result = await owner.callTool({ name: 'send_email', arguments: { ...newMail('Header'), inbox_id: INBOX, ...bad } });
      expect(result.isError, JSON.stringify(bad)).toBe(true);
    }
    expect(outbound().length).toBe(before);
  });
});

describe('who may act', () => {
  it('a read token gets a tool error worded as the HTTP 403, and nothing is sent, replied or marked', async () => {
    const { token } = h.daemon.tokens.create({ name: 'reader', scope: 'read', inboxIds: [], allowSenders: [] });
    const reader = await h.client('reader', token);
    const { seq } = await h.mail({ from: 'dana@northwind.example', subject: 'Read-only', body: 'Hi' });
    const http = await fetch(`${h.url}/v1/accounts/work/proxy/v1/inboxes/${INBOX}/send`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ to: 'ana@example.com', subject: 'x', body: 'y' }),
    });
    expect(http.status).toBe(403);
    const { error } = (await http.json()) as { error: { message: string } };
    const before = outbound().length;
    for (const [name, args] of [
      ['send_email', { ...newMail('Not allowed'), inbox_id: INBOX }],
      ['reply_to_email', { seq, text: 'Not allowed' }],
      ['mark_read', { seq }],
    ] as const) {
      const result = await reader.callTool({ name, arguments: args });
      expect(result.isError, name).toBe(true);
      expect(text(result)).toBe(error.message.replace('POST /v1/accounts/:name/proxy/:path*', `the tool ${name}`));
    }
    expect(outbound().length).toBe(before);
  });

  it('a token narrowed to an inbox cannot reply to, or mark, mail it cannot see, nor send from another inbox', async () => {
    const narrow = await agent('narrow-sender', 'send', [INBOX]);
    const { seq } = await h.mail({ from: 'dana@northwind.example', subject: 'Elsewhere', body: 'Hi', inbox: OTHER_INBOX });
    const before = outbound(OTHER_INBOX).length;
    for (const [name, args] of [
      ['reply_to_email', { seq, text: 'Sneaky' }],
      ['mark_read', { seq }],
    ] as const) {
      const result = await narrow.callTool({ name, arguments: args });
      expect(result.isError, name).toBe(true);
      expect(text(result)).toBe(`no mail with seq ${seq}: retention may have removed it, or this token may not see it`);
    }
    const other = await narrow.callTool({ name: 'send_email', arguments: { ...newMail('Other inbox'), inbox_id: OTHER_INBOX } });
    expect(other.isError).toBe(true);
    expect(text(other)).toContain(`is limited to the inboxes ${INBOX}, and ${OTHER_INBOX} is not one of them`);
    expect(outbound(OTHER_INBOX).length).toBe(before);
  });
});

describe('a repeated call', () => {
  it('sends once: a retry is given the first answer, and changed arguments are a new mail', async () => {
    const mail = { ...newMail('Only once'), inbox_id: INBOX };
    const before = outbound().length;
    const first = answer(await owner.callTool({ name: 'send_email', arguments: mail }));
    const retry = await owner.callTool({ name: 'send_email', arguments: mail });
    expect(answer(retry)).toEqual({ ...first, repeated: true });
    expect(text(retry)).toMatch(/^An identical send_email call within the last 10 minutes has this answer; nothing more was sent\. Sent from/);
    expect(outbound().length).toBe(before + 1);
    const changed = answer(await owner.callTool({ name: 'send_email', arguments: { ...mail, text: `${mail.text} Changed.` } }));
    expect(changed).toMatchObject({ status: 'sent', repeated: false });
    expect(changed.idempotency_key).not.toBe(first.idempotency_key);
    expect(outbound().length).toBe(before + 2);
  });

  it('sends once when the same call arrives twice at once, even on another session', async () => {
    const mail = { ...newMail('At once'), inbox_id: INBOX };
    const other = await h.client('owner-second-session');
    const before = outbound().length;
    const answers = (await Promise.all([owner, other].map((client) => client.callTool({ name: 'send_email', arguments: mail })))).map(answer);
    expect(answers.map((one) => one.repeated).sort()).toEqual([false, true]);
    expect(answers[0]!.message_id).toBe(answers[1]!.message_id);
    expect(outbound().length).toBe(before + 1);
  });
});

describe('reply_to_email', () => {
  it("answers the sender in the mail's thread, from the inbox it came to, with OpenMail's quote", async () => {
    const { event, seq } = await h.mail({ from: 'Dana Reyes <dana@northwind.example>', subject: 'Pallet count', body: 'We need 14 pallets.', inbox: OTHER_INBOX });
    const replier = await agent('replier', 'send');
    const result = answer(await replier.callTool({ name: 'reply_to_email', arguments: { seq, text: 'Noted: 14 pallets on Tuesday.' } }));
    expect(result).toMatchObject({ status: 'sent', inbox_id: OTHER_INBOX, to: ['dana@northwind.example'], thread_id: event.thread_id, replied_to_seq: seq });
    const thread = h.demo.mailbox.threadMessages(event.thread_id!);
    expect(thread.map((message) => message.direction)).toEqual(['inbound', 'outbound']);
    expect(thread[1]).toMatchObject({ id: result.message_id, to: ['dana@northwind.example'], subject: 'Re: Pallet count' });
    expect(thread[1]!.text).toMatch(/^Noted: 14 pallets on Tuesday\.\n\nOn .+, Dana Reyes <dana@northwind\.example> wrote:\n> We need 14 pallets\.$/);
    expect(h.daemon.audit.page({ token: 'replier' }).entries[0]).toMatchObject({ via: 'mcp:reply_to_email', inboxId: OTHER_INBOX, status: 200 });

    const unquoted = answer(await replier.callTool({ name: 'reply_to_email', arguments: { seq, text: 'And no quote this time.', quote: false } }));
    expect(h.demo.mailbox.message(unquoted.message_id as string)?.text).toBe('And no quote this time.');
  });

  it('replies only to received mail', async () => {
    const stored = h.daemon.events.commit('work', [
      { event: 'message.sent', event_id: `evt_sent_${Date.now()}`, occurred_at: new Date().toISOString(), inbox_id: INBOX, thread_id: 'thr_sent' },
    ]).stored[0]!;
    const result = await owner.callTool({ name: 'reply_to_email', arguments: { seq: stored.seq, text: 'To myself?' } });
    expect(result.isError).toBe(true);
    expect(text(result)).toBe(`seq ${stored.seq} is a message.sent event, not a received mail: only received mail can be replied to`);
  });
});

describe('mark_read', () => {
  it("marks the mail's thread read at the provider", async () => {
    const { event, seq } = await h.mail({ from: 'noreply@github.com', subject: 'Your code', body: 'Verification code: 482913' });
    expect(h.demo.mailbox.thread(event.thread_id!)?.isRead).toBe(false);
    const marker = await agent('marker', 'send', [INBOX]);
    const result = await marker.callTool({ name: 'mark_read', arguments: { seq } });
    expect(answer(result)).toEqual({
      status: 'marked_read',
      message: `Marked the thread ${event.thread_id} of mail ${seq} read (account work, inbox ${INBOX}).`,
      seq,
      account: 'work',
      inbox_id: INBOX,
      thread_id: event.thread_id,
    });
    expect(h.demo.mailbox.thread(event.thread_id!)?.isRead).toBe(true);
    expect(h.daemon.audit.page({ token: 'marker' }).entries[0]).toMatchObject({ via: 'mcp:mark_read', method: 'PATCH', path: `/v1/threads/${event.thread_id}`, status: 200 });
  });

  it('says that a provider without the call does not support it', async () => {
    h.daemon.addAccount({ name: 'am', provider: 'agentmail', url: 'ws://127.0.0.1:9', apiUrl: h.demo.restUrl, inboxIds: [], eventTypes: [], apiKey: 'am_test' });
    try {
      const now = new Date().toISOString();
      const message = { id: 'am_msg_1', from: 'dana@northwind.example', to: 'me@agentmail.to', subject: 'Hi', body_text: '.', received_at: now };
      const stored = h.daemon.events.commit('am', [{ event: 'message.received', event_id: 'am_evt_1', occurred_at: now, inbox_id: 'me@agentmail.to', thread_id: 'am_thr_1', message }]).stored[0]!;
      const result = await owner.callTool({ name: 'mark_read', arguments: { seq: stored.seq } });
      expect(result.isError).toBe(true);
      expect(text(result)).toMatch(/^marking mail read is not supported by agentmail: /);
    } finally {
      h.daemon.removeAccount('am');
    }
  });
});

describe('the send limit', () => {
  it('queues a send that a slot frees for soon, and refuses one that would wait too long, with Retry-After', async () => {
    // One send per 2 s, and at most 3 s of waiting: of two sends made together after a first, one waits ~2 s for the
    // slot the first frees, and the other, which would then wait ~2 s more, is refused.
    const limited = await startEngineWithDemo({ sendLimits: { limits: { openmail: { sends: 1, perMs: 2_000 }, agentmail: null, myagentmail: null }, maxQueueMs: 3_000 } });
    try {
      const client = await limited.client();
      const send = (subject: string) => client.callTool({ name: 'send_email', arguments: { ...newMail(subject), inbox_id: INBOX } });
      expect(answer(await send('First'))).toMatchObject({ status: 'sent', queued_ms: 0 });
      const [one, two] = await Promise.all([send('Second'), send('Third')]);
      const [queued, refused] = [one!, two!].sort((a, b) => (a.isError ? 1 : 0) - (b.isError ? 1 : 0));
      expect(queued!.structuredContent).toMatchObject({ status: 'queued', queued_ms: expect.any(Number) });
      expect((queued!.structuredContent as { queued_ms: number }).queued_ms).toBeGreaterThanOrEqual(1_500);
      expect(text(queued!)).toMatch(/^Sent after waiting \d+\.\d s for the send limit, from /);
      expect(refused!.isError).toBe(true);
      expect(refused!.structuredContent).toMatchObject({ status: 'refused', provider_status: null, retry_after_seconds: expect.any(Number), message_id: null });
      expect(text(refused!)).toMatch(/^Not sent: openmail allows 1 sends per 2 s per inbox: .+ \(Retry-After\)\. Nothing was sent\.$/);
      expect(limited.demo.mailbox.messages(INBOX, 'outbound')).toHaveLength(2);
    } finally {
      await limited.stop();
    }
  });
});

describe('the choice of account and inbox', () => {
  const agentPrincipal = (inboxIds: string[]): Principal => ({ name: 'a', owner: false, scopes: ['read', 'send'], inboxIds, allowSenders: [] });
  const work = { name: 'work', provider: 'openmail' as const, inboxIds: [] };
  const none = () => [];

  it('takes the only account, or the one named, and otherwise lists them', () => {
    expect(chooseAccount([work], undefined)).toBe(work);
    const personal = { ...work, name: 'personal' };
    expect(chooseAccount([work, personal], 'personal')).toBe(personal);
    expect(() => chooseAccount([work, personal], undefined)).toThrow('pass account: several accounts can send (work, personal)');
    expect(() => chooseAccount([], undefined)).toThrow(/^no account can send/);
  });

  it("takes the only inbox both the token and the account allow, and otherwise lists what there is", () => {
    expect(chooseInbox(agentPrincipal(['inb_a']), work, none)).toBe('inb_a');
    expect(chooseInbox(agentPrincipal([]), { ...work, inboxIds: ['inb_b'] }, none)).toBe('inb_b');
    expect(chooseInbox(agentPrincipal(['inb_a', 'inb_b']), { ...work, inboxIds: ['inb_b', 'inb_c'] }, none)).toBe('inb_b');
    expect(() => chooseInbox(agentPrincipal(['inb_a', 'inb_b']), work, none)).toThrow('pass inbox_id: the inboxes to send from with account work are inb_a, inb_b');
    expect(() => chooseInbox(agentPrincipal(['inb_a']), { ...work, inboxIds: ['inb_c'] }, none)).toThrow(/may send only from inb_a, and account work is set to other inboxes \(inb_c\)/);
    expect(() => chooseInbox(agentPrincipal([]), work, () => ['inb_x'])).toThrow(/no one to choose \(inboxes with recent mail: inb_x\)$/);
  });
});
