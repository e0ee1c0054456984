// Attachments kept and served, end to end: a real engine on its own endpoint, the demo provider's real socket, REST
// API and signed links, real SQLite and real files. Each attachment gets a local_url before any agent sees its mail,
// is fetched in the background, and is then served whole from local_url, even once the provider's link has expired
// and the provider cannot be reached.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../../shared/event.ts';
import { DEFAULT_ATTACHMENT_SETTINGS } from '../../../shared/settings.ts';
import { createLogger } from '../../../daemon/log.ts';
import { waitFor } from '../../support/wait-for.ts';
import { type EngineWithFiles, INBOX, keptFiles, OTHER_INBOX, startEngineWithFiles, testFile } from './engine-with-files.ts';

const run = promisify(execFile);
const INVOICE = testFile('INV-2026-0042.pdf', 'application/pdf', 'INVOICE INV-2026-0042\nTotal due: USD 120.00');
const NOTES = testFile('notes.txt', 'text/plain', 'Meeting notes: ship on Friday.');
const PHOTO = testFile('damage.png', 'image/png', 'Photo: cracked casing.');

let engine: EngineWithFiles | null = null;
afterEach(async () => {
  await engine?.stop();
  engine = null;
});

function localUrls(event: StoredEvent): string[] {
  return (event.message?.attachments ?? []).map((attachment) => attachment.local_url!);
}

async function bytesOf(response: Response): Promise<Buffer> {
  return Buffer.from(await response.arrayBuffer());
}

/** Every attachment of the event is kept, without anyone having asked for it. */
async function keptInBackground(e: EngineWithFiles, count: number): Promise<void> {
  await waitFor(() => e.daemon.status().attachments!.kept >= count, 15_000, `${count} attachment(s) kept`);
}

describe('attachments kept from the signed link while it is fresh', () => {
  it('gives every attachment a local_url on the endpoint from the first delivery, and keeps the file whole', { timeout: 30_000 }, async () => {
    engine = await startEngineWithFiles();
    const event = await engine.mail([INVOICE, NOTES]);
    const [invoiceUrl, notesUrl] = localUrls(event);
    expect(invoiceUrl).toMatch(new RegExp(`^${engine.url()}/v1/attachments/att_[A-Za-z0-9_-]{24}$`));
    expect(notesUrl).not.toBe(invoiceUrl);
    // What the provider sent is untouched beside it.
    expect(event.message!.attachments![0]).toMatchObject({ filename: INVOICE.attachment.filename, sizeBytes: INVOICE.bytes.length });
    expect(event.message!.attachments![0]!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/storage\//);

    await keptInBackground(engine, 2);
    expect(engine.daemon.status().attachments).toMatchObject({ kept: 2, pending: 0, failed: 0, bytes: INVOICE.bytes.length + NOTES.bytes.length });
    expect(keptFiles(engine.dataDir)).toHaveLength(2);
    const dir = path.join(engine.dataDir, 'attachments');
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    for (const name of keptFiles(engine.dataDir)) expect(fs.statSync(path.join(dir, name)).mode & 0o777).toBe(0o600);

    const invoice = await engine.get(invoiceUrl!);
    expect(invoice.status).toBe(200);
    expect(invoice.headers.get('content-type')).toBe('application/pdf');
    expect(invoice.headers.get('content-length')).toBe(String(INVOICE.bytes.length));
    expect(invoice.headers.get('content-disposition')).toBe('inline; filename=INV-2026-0042.pdf');
    expect(invoice.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await bytesOf(invoice)).equals(INVOICE.bytes)).toBe(true);
    expect((await bytesOf(await engine.get(notesUrl!))).equals(NOTES.bytes)).toBe(true);
  });

  it('serves the kept file once the link has expired and the provider cannot be reached', { timeout: 30_000 }, async () => {
    engine = await startEngineWithFiles();
    const event = await engine.mail([INVOICE]);
    await keptInBackground(engine, 1);
    engine.demo.expireAttachmentLinks();
    await engine.demo.setRestDown('refused');
    const link = await fetch(event.message!.attachments![0]!.url!).catch(() => null);
    expect(link?.status ?? 'unreachable').not.toBe(200);

    const served = await engine.get(localUrls(event)[0]!);
    expect(served.status).toBe(200);
    expect((await bytesOf(served)).equals(INVOICE.bytes)).toBe(true);
  });

  it('keeps one file for mails that carry the same bytes', { timeout: 30_000 }, async () => {
    engine = await startEngineWithFiles();
    await engine.mail([NOTES]);
    await engine.mail([NOTES]);
    await keptInBackground(engine, 2);
    expect(keptFiles(engine.dataDir)).toHaveLength(1);
    expect(engine.daemon.status().attachments!.bytes).toBe(NOTES.bytes.length);
  });
});

describe.each(['openmail', 'agentmail', 'myagentmail'] as const)('attachments of a %s account whose links expired', (flavour) => {
  it('are fetched through the provider REST API with the key, and served whole', { timeout: 30_000 }, async () => {
    // A link is never fresh here: every file comes by the provider's own call.
    engine = await startEngineWithFiles(flavour, { attachmentPolicy: { linkFreshMs: 0 } });
    const e = engine;
    if (flavour === 'myagentmail') {
      // myagentmail pushes no attachments: only mail caught up over its REST API names them.
      e.demo.setPushOff(true);
    }
    const sending = e.mail([INVOICE, PHOTO]);
    if (flavour === 'myagentmail') e.demo.drop();
    const event = await sending;
    e.demo.expireAttachmentLinks();
    await keptInBackground(e, 2);
    const [invoice, photo] = await Promise.all(localUrls(event).map((url) => e.get(url)));
    expect((await bytesOf(invoice!)).equals(INVOICE.bytes)).toBe(true);
    expect((await bytesOf(photo!)).equals(PHOTO.bytes)).toBe(true);
    expect(photo!.headers.get('content-type')).toBe('image/png');
  });
});

describe('an attachment not kept yet', () => {
  // No background downloads: every file is fetched when it is asked for.
  const onDemandOnly = { attachmentPolicy: { concurrency: 0 } };

  it('is fetched on demand through the provider, without the agent holding the key', { timeout: 30_000 }, async () => {
    engine = await startEngineWithFiles('openmail', onDemandOnly);
    const event = await engine.mail([INVOICE]);
    engine.demo.expireAttachmentLinks();
    await waitFor(() => engine!.daemon.status().attachments!.pending === 1, 5_000, 'the attachment noted as pending');
    expect(engine.daemon.status().attachments!.kept).toBe(0);
    const served = await engine.get(localUrls(event)[0]!);
    expect(served.status).toBe(200);
    expect((await bytesOf(served)).equals(INVOICE.bytes)).toBe(true);
    expect(engine.daemon.status().attachments).toMatchObject({ kept: 1, pending: 0 });
  });

  it('is a JSON 502 that says why while the provider cannot be reached, and is served once it can', { timeout: 30_000 }, async () => {
    engine = await startEngineWithFiles('openmail', onDemandOnly);
    const event = await engine.mail([INVOICE]);
    engine.demo.expireAttachmentLinks();
    await engine.demo.setRestDown('error');
    const refused = await engine.get(localUrls(event)[0]!);
    expect(refused.status).toBe(502);
    expect(refused.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await refused.json()).toEqual({ error: { code: 'bad_gateway', message: expect.stringMatching(/HTTP 500/) } });
    expect(engine.daemon.status().attachments!.lastError?.message).toMatch(/HTTP 500/);

    await engine.demo.setRestDown(null);
    const served = await engine.get(localUrls(event)[0]!);
    expect((await bytesOf(served)).equals(INVOICE.bytes)).toBe(true);
  });

  it('is tried again in the background after an on-demand fetch fails while its retry falls due', { timeout: 40_000 }, async () => {
    // Every download stalls: the first background try times out (the link, then the REST API), then a request starts
    // the next try itself, and the background's retry falls due while that request's try is still running.
    engine = await startEngineWithFiles('openmail', { attachmentPolicy: { retry: { baseMs: 1_000, capMs: 1_000 }, downloadTimeoutMs: 1_500, onDemandWaitMs: 500 } });
    engine.demo.stallAttachmentDownloads(10);
    const event = await engine.mail([INVOICE]);
    const lastError = () => engine!.daemon.status().attachments!.lastError;
    const first = await waitFor(lastError, 10_000, 'the first try to time out');
    const asked = await engine.get(localUrls(event)[0]!);
    expect(asked.status).toBe(502);
    await waitFor(() => lastError()?.at !== first.at, 10_000, "the request's own try to time out");

    engine.demo.stallAttachmentDownloads(null);
    await keptInBackground(engine, 1);
    const served = await engine.get(localUrls(event)[0]!);
    expect((await bytesOf(served)).equals(INVOICE.bytes)).toBe(true);
  });

  it('logs one line for a run of failures of one kind, and keeps the files once the provider answers', { timeout: 40_000 }, async () => {
    const lines: string[] = [];
    // Every download stalls until it times out: the same kind of failure, try after try, file after file.
    const attachmentPolicy = { retry: { baseMs: 200, capMs: 200 }, downloadTimeoutMs: 300 };
    engine = await startEngineWithFiles('openmail', { log: createLogger('info', (line) => lines.push(line)), attachmentPolicy });
    engine.demo.stallAttachmentDownloads(10);
    await engine.mail([INVOICE, NOTES]);
    const lastError = () => engine!.daemon.status().attachments!.lastError;
    const seen = new Set<string>();
    await waitFor(() => {
      const at = lastError()?.at;
      if (at !== undefined) seen.add(at);
      return seen.size >= 4;
    }, 15_000, 'four failed tries');
    expect(lines.filter((line) => line.includes('not fetched'))).toHaveLength(1);

    engine.demo.stallAttachmentDownloads(null);
    await keptInBackground(engine, 2);
  });

  it('is fetched after a restart: what is pending is known from the store', { timeout: 40_000 }, async () => {
    engine = await startEngineWithFiles('openmail', onDemandOnly);
    const event = await engine.mail([INVOICE, NOTES]);
    await waitFor(() => engine!.daemon.status().attachments!.pending === 2, 5_000, 'two attachments noted as pending');
    await engine.restart({ attachmentPolicy: {} });
    await keptInBackground(engine, 2);
    const again = (await engine.events()).find((each) => each.seq === event.seq)!;
    const served = await engine.get(localUrls(again)[1]!);
    expect((await bytesOf(served)).equals(NOTES.bytes)).toBe(true);
  });
});

describe('local_url across runs', () => {
  it('names the endpoint of the run that serves it, when the port changes between runs', { timeout: 40_000 }, async () => {
    engine = await startEngineWithFiles();
    const before = await engine.mail([NOTES]);
    await keptInBackground(engine, 1);
    const firstUrl = engine.url();
    await engine.restart();
    expect(engine.url()).not.toBe(firstUrl);

    const after = (await engine.events()).find((event) => event.seq === before.seq)!;
    const [url] = localUrls(after);
    expect(url).toBe(`${engine.url()}${new URL(localUrls(before)[0]!).pathname}`);
    expect((await bytesOf(await engine.get(url!))).equals(NOTES.bytes)).toBe(true);
    const history = (await (await engine.get(`/v1/events/${before.seq}`)).json()) as { event: StoredEvent };
    expect(localUrls(history.event as StoredEvent)).toEqual([url]);
  });
});

describe('who may fetch an attachment', () => {
  it('needs a token, and a token narrowed to other inboxes or senders is told there is no such attachment', { timeout: 30_000 }, async () => {
    engine = await startEngineWithFiles();
    const event = await engine.mail([NOTES], { inbox: INBOX });
    const url = localUrls(event)[0]!;

    const anonymous = await engine.get(url, null);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error: { code: 'unauthorized' } });

    const tokens = engine.daemon.tokens;
    const reader = tokens.create({ name: 'reader', scope: 'read', inboxIds: [INBOX], allowSenders: [] }).token;
    const elsewhere = tokens.create({ name: 'elsewhere', scope: 'read', inboxIds: [OTHER_INBOX], allowSenders: [] }).token;
    const picky = tokens.create({ name: 'picky', scope: 'read', inboxIds: [], allowSenders: ['*@bank.example'] }).token;
    expect((await bytesOf(await engine.get(url, reader))).equals(NOTES.bytes)).toBe(true);
    for (const token of [elsewhere, picky]) {
      const refused = await engine.get(url, token);
      expect(refused.status).toBe(404);
      expect(await refused.json()).toMatchObject({ error: { code: 'not_found' } });
    }
    const unknown = await engine.get('/v1/attachments/att_AAAAAAAAAAAAAAAAAAAAAAAA');
    expect(unknown.status).toBe(404);
    expect((await engine.get('/v1/attachments/..%2Fevents.db')).status).toBe(404);
  });

  it('is served over the Unix socket too, which needs no token', { timeout: 30_000 }, async () => {
    engine = await startEngineWithFiles('openmail', { unixSocket: true });
    const event = await engine.mail([INVOICE]);
    const socket = engine.daemon.endpoint!.socketPath!;
    const out = path.join(engine.dir, 'fetched.pdf');
    const { stdout } = await run('/usr/bin/curl', ['-sS', '--max-time', '15', '--unix-socket', socket, '-o', out, '-w', '%{http_code} %{content_type}', `http://localhost${new URL(localUrls(event)[0]!).pathname}`]);
    expect(stdout).toBe('200 application/pdf');
    expect(fs.readFileSync(out).equals(INVOICE.bytes)).toBe(true);
  });
});

describe('names and types from the mail', () => {
  it('never add a header or make a page run, and reach the client quoted and encoded', { timeout: 30_000 }, async () => {
    engine = await startEngineWithFiles();
    const page = testFile('report"\r\nSet-Cookie: stolen=1\r\n.html', 'text/html', '<script>alert(1)</script>');
    const drawing = testFile('\u202Egnp.svg', 'image/svg+xml', '<svg onload="alert(1)"/>');
    const odd = testFile('../../etc/passwd', 'not a type', 'root:x:0:0');
    const event = await engine.mail([page, drawing, odd]);
    const [html, svg, other] = await Promise.all(localUrls(event).map((url) => engine!.get(url)));

    expect(html!.headers.get('set-cookie')).toBeNull();
    expect(html!.headers.get('content-type')).toBe('text/html');
    expect(html!.headers.get('content-disposition')).toBe(`attachment; filename="report\\"Set-Cookie: stolen=1.html"`);
    expect(html!.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(html!.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await bytesOf(html!)).equals(page.bytes)).toBe(true);

    // The right-to-left override that would show "gvs.png" is gone; SVG runs scripts, so it is a download.
    expect(svg!.headers.get('content-disposition')).toBe('attachment; filename=gnp.svg');
    expect(other!.headers.get('content-type')).toBe('application/octet-stream');
    expect(other!.headers.get('content-disposition')).toBe('attachment; filename=___.._etc_passwd');
  });
});

describe('limits and retention', () => {
  it('keeps no file over the per-file limit, and says so with a 507', { timeout: 30_000 }, async () => {
    engine = await startEngineWithFiles('openmail', { attachments: { ...DEFAULT_ATTACHMENT_SETTINGS, maxFileBytes: 200 } });
    const event = await engine.mail([INVOICE, NOTES]);
    await waitFor(() => engine!.daemon.status().attachments!.failed === 1 && engine!.daemon.status().attachments!.kept === 1, 15_000, 'one kept, one refused');
    const refused = await engine.get(localUrls(event)[0]!);
    expect(refused.status).toBe(507);
    expect(await refused.json()).toEqual({
      error: { code: 'insufficient_storage', message: `"INV-2026-0042.pdf" is ${INVOICE.bytes.length} bytes, more than the 200 kept per file` },
    });
  });

  it('takes the longest kept files out past the total limit, and the route says so when they cannot be had again', { timeout: 40_000 }, async () => {
    const files = [1, 2, 3].map((n) => testFile(`part-${n}.txt`, 'text/plain', `part ${n} `.repeat(20)));
    const total = files[0]!.bytes.length * 2;
    engine = await startEngineWithFiles('openmail', { attachments: { maxFileBytes: total, maxTotalBytes: total } });
    const events: StoredEvent[] = [];
    for (const file of files) {
      events.push(await engine.mail([file]));
      await keptInBackground(engine, events.length === 3 ? 2 : events.length);
    }
    await waitFor(() => engine!.daemon.status().attachments!.evicted === 1, 15_000, 'the oldest file to go');
    expect(engine.daemon.status().attachments).toMatchObject({ kept: 2, evicted: 1, bytes: total });
    expect(keptFiles(engine.dataDir)).toHaveLength(2);

    engine.demo.expireAttachmentLinks();
    await engine.demo.setRestDown('error');
    const gone = await engine.get(localUrls(events[0]!)[0]!);
    expect(gone.status).toBe(502);
    expect(((await gone.json()) as { error: { message: string } }).error.message).toMatch(
      new RegExp(`^it was removed to keep the attachment store under ${total} bytes, and fetching it again failed`),
    );
    await engine.demo.setRestDown(null);
    expect((await bytesOf(await engine.get(localUrls(events[0]!)[0]!))).equals(files[0]!.bytes)).toBe(true);
  });

  it('takes new limits from the settings at once', { timeout: 30_000 }, async () => {
    engine = await startEngineWithFiles();
    await engine.mail([NOTES, PHOTO]);
    await keptInBackground(engine, 2);
    const total = Math.max(NOTES.bytes.length, PHOTO.bytes.length);
    const patched = await fetch(`${engine.url()}/v1/settings`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${engine.token()}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ attachments: { maxFileBytes: total, maxTotalBytes: total } }),
    });
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as { attachments: unknown }).attachments).toEqual({ maxFileBytes: total, maxTotalBytes: total });
    expect(engine.daemon.status().attachments).toMatchObject({ kept: 1, evicted: 1, maxTotalBytes: total });
    expect(keptFiles(engine.dataDir)).toHaveLength(1);
  });

  it('removes a file with the last mail that names it, and not before', { timeout: 40_000 }, async () => {
    engine = await startEngineWithFiles();
    const first = await engine.mail([NOTES]);
    const second = await engine.mail([NOTES, INVOICE]);
    await keptInBackground(engine, 3);
    expect(keptFiles(engine.dataDir)).toHaveLength(2);

    // Keep only the newest event: the first mail goes, NOTES stays (the second mail names it too).
    engine.daemon.setRetention({ maxAgeDays: null, maxEvents: 1 });
    expect((await engine.get(localUrls(first)[0]!)).status).toBe(404);
    expect(keptFiles(engine.dataDir)).toHaveLength(2);
    expect((await bytesOf(await engine.get(localUrls(second)[0]!))).equals(NOTES.bytes)).toBe(true);

    // A mail without attachments pushes the second one out too: nothing names the files any more.
    await engine.mail([]);
    engine.daemon.setRetention({ maxAgeDays: null, maxEvents: 1 });
    expect(keptFiles(engine.dataDir)).toEqual([]);
    expect(engine.daemon.status().attachments).toMatchObject({ kept: 0, bytes: 0 });
  });
});
