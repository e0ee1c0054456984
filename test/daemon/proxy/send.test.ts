// The typed send the send tools call (ProviderProxy.send), against the demo provider's OpenMail REST API: the same
// checks, keys, limits and audit as the HTTP proxy, with a result instead of a stream.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OWNER, type Principal } from '../../../shared/principal.ts';
import { DemoProvider } from '../../../daemon/demo/server.ts';
import { getAdapter } from '../../../daemon/providers/index.ts';
import { restTarget } from '../../../daemon/providers/rest.ts';
import { ProviderProxy, type ProxyOptions } from '../../../daemon/proxy/proxy.ts';
import { SendLimitedError, SendLimiter } from '../../../daemon/proxy/send-limits.ts';
import { AuditLog } from '../../../daemon/store/audit-log.ts';
import { openDatabase, type Database } from '../../../daemon/store/db.ts';

const KEY = 'om_send_test_key_91fe';
const INBOX = 'inb_8f3a1b2c';
const MAIL = { to: ['ana@example.com'], subject: 'Hello', text: 'From the send tool' };
const agent = (overrides: Partial<Principal> = {}): Principal => ({ name: 'tool-agent', owner: false, scopes: ['read', 'send'], inboxIds: [], allowSenders: [], ...overrides });

let root: string;
let db: Database;
let auditLog: AuditLog;
let demo: DemoProvider;

beforeEach(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-send-'));
  db = openDatabase(path.join(root, 'events.db'));
  auditLog = new AuditLog(db);
  demo = await DemoProvider.start({ apiKey: KEY });
});

afterEach(async () => {
  await demo.stop();
  db.close();
  fs.rmSync(root, { recursive: true, force: true });
});

function proxy(options: Partial<ProxyOptions> = {}): ProviderProxy {
  const target = restTarget(getAdapter('openmail'), { name: 'work', apiUrl: demo.restUrl }, KEY);
  return new ProviderProxy({ restTarget: (account) => (account === 'work' ? target : null), audit: auditLog, ...options });
}

const sent = (): number => demo.mailbox.messages(INBOX, 'outbound').length;

describe('ProviderProxy.send', () => {
  it('sends with the key it is given, or makes one; a retry with the key sends nothing more', async () => {
    const p = proxy();
    const first = await p.send('work', INBOX, MAIL, 'tool-key-1', agent(), { via: 'send_email' });
    expect(first).toMatchObject({ status: 200, ok: true, idempotencyKey: 'tool-key-1', queuedMs: 0, body: { status: 'sent' } });
    expect((await p.send('work', INBOX, MAIL, 'tool-key-1', agent())).body).toEqual(first.body);
    const made = await p.send('work', INBOX, { ...MAIL, subject: 'Another' }, null, agent());
    expect(made.idempotencyKey).toMatch(/^mb-/);
    await p.send('work', INBOX, { ...MAIL, subject: 'Another' }, made.idempotencyKey, agent());
    expect(sent()).toBe(2);
    expect(auditLog.page().entries.at(-1)).toMatchObject({ token: 'tool-agent', via: 'send_email', path: `/v1/inboxes/${INBOX}/send`, status: 200, idempotencyKey: 'tool-key-1' });
  });

  it('refuses what the principal may not do, and what the provider cannot take, before anything goes out', async () => {
    const p = proxy();
    await expect(p.send('work', INBOX, MAIL, null, agent({ scopes: ['read'] }))).rejects.toMatchObject({ code: 'forbidden' });
    await expect(p.send('work', INBOX, MAIL, null, agent({ inboxIds: ['inb_5e0d9c47'] }))).rejects.toMatchObject({ code: 'forbidden' });
    await expect(p.send('work', INBOX, { ...MAIL, to: ['a@example.com', 'b@example.com'] }, null, OWNER)).rejects.toMatchObject({ code: 'bad_request' });
    await expect(p.send('elsewhere', INBOX, MAIL, null, OWNER)).rejects.toMatchObject({ code: 'not_found' });
    expect(sent()).toBe(0);
    expect(auditLog.page().entries.map((entry) => entry.status)).toEqual([404, 400, 403, 403]);
  });

  it("hands back the provider's refusal as a result", async () => {
    const result = await proxy().send('work', 'inb_missing', MAIL, null, OWNER);
    expect(result).toMatchObject({ ok: false, status: 404, body: { error: 'not_found' } });
  });

  it('marks a thread read for a principal that may touch the inbox it was found in, and says where it cannot', async () => {
    const p = proxy();
    const { body } = await p.send('work', INBOX, MAIL, null, OWNER);
    const threadId = (body as { threadId: string }).threadId;
    demo.mailbox.setRead(threadId, false);
    await expect(p.markRead('work', 'inb_5e0d9c47', threadId, agent({ inboxIds: [INBOX] }))).rejects.toMatchObject({ code: 'forbidden' });
    expect(demo.mailbox.thread(threadId)?.isRead).toBe(false);
    const marked = await p.markRead('work', INBOX, threadId, agent({ inboxIds: [INBOX] }));
    expect(marked).toMatchObject({ ok: true, status: 200, idempotencyKey: null });
    expect(demo.mailbox.thread(threadId)?.isRead).toBe(true);
    expect(auditLog.page().entries[0]).toMatchObject({ via: 'mark_read', method: 'PATCH', path: `/v1/threads/${threadId}`, inboxId: INBOX, status: 200 });

    const agentmail = new ProviderProxy({ restTarget: () => restTarget(getAdapter('agentmail'), { name: 'am', apiUrl: demo.restUrl }, KEY), audit: auditLog });
    await expect(agentmail.markRead('am', INBOX, threadId, OWNER)).rejects.toThrow(/marking mail read is not supported by agentmail/);
  });

  it('waits for a slot under the send limit and says how long, or refuses with Retry-After when the wait is long', async () => {
    const limits = { openmail: { sends: 1, perMs: 400 }, agentmail: null, myagentmail: null };
    const patient = proxy({ limiter: new SendLimiter(limits), maxQueueMs: 5_000 });
    expect((await patient.send('work', INBOX, MAIL, null, OWNER)).queuedMs).toBe(0);
    const queued = await patient.send('work', INBOX, { ...MAIL, subject: 'Second' }, null, OWNER);
    expect(queued.ok).toBe(true);
    expect(queued.queuedMs).toBeGreaterThanOrEqual(300);
    expect(auditLog.page().entries[0]?.note).toMatch(/^queued \d\.\d s for the send limit$/);

    const hasty = proxy({ limiter: new SendLimiter(limits), maxQueueMs: 100 });
    await hasty.send('work', INBOX, MAIL, null, OWNER);
    const refusal = hasty.send('work', INBOX, { ...MAIL, subject: 'Too soon' }, null, OWNER);
    await expect(refusal).rejects.toBeInstanceOf(SendLimitedError);
    await expect(refusal).rejects.toMatchObject({ code: 'too_many_requests', retryAfterSeconds: 1 });
    expect(sent()).toBe(3);
  });
});
