// The dashboard in a real browser against the real headless engine (demo provider), served by the engine
// itself at `/`: status is live, new mail shows up without a reload, search finds it, and a forward target
// added in Settings receives the next event, signed. Also takes the README's screenshots.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../shared/event.ts';
import type { EndpointFile, TestEventResponse } from '../../shared/local-api.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// `npm run screenshots` refreshes the README's pictures; a plain test run keeps its shots out of the tree.
const SCREENSHOTS = process.env.MAILBRIDGE_SCREENSHOTS ? path.join(ROOT, 'docs', 'screenshots') : path.join(os.tmpdir(), 'mailbridge-screenshots');
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

interface Delivery {
  headers: http.IncomingHttpHeaders;
  body: string;
}

let dataDir: string;
let engine: ChildProcess;
let engineLog = '';
let endpoint: EndpointFile;
let token: string;
let receiver: http.Server;
let receiverUrl: string;
const deliveries: Delivery[] = [];
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

async function until<T>(what: string, probe: () => Promise<T | null> | T | null, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${engineLog}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function readEndpoint(): Promise<EndpointFile | null> {
  try {
    const file = JSON.parse(await fs.readFile(path.join(dataDir, 'endpoint.json'), 'utf8')) as EndpointFile;
    return file.pid === engine.pid ? file : null;
  } catch {
    return null;
  }
}

async function testEvent(): Promise<StoredEvent> {
  const response = await fetch(`${endpoint.url}/v1/test-event`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
  expect(response.status).toBe(201);
  return ((await response.json()) as TestEventResponse).event;
}

async function storedCount(): Promise<number> {
  const text = (await page.getByText(/events stored/).textContent()) ?? '';
  return Number(text.replace(/[^\d].*$/s, '').replace(/\D/g, ''));
}

beforeAll(async () => {
  // The engine serves whatever dist/renderer holds at start. `npm test` builds it once before any test runs;
  // a lone run of this file builds it when missing.
  if (!existsSync(path.join(ROOT, 'dist', 'renderer', 'index.html'))) await build({ configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'warn' });
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'mailbridge-'));
  engine = spawn(process.execPath, [path.join(ROOT, 'bin', 'mailbridge.js'), 'run', '--demo', '--port', '0', '--data-dir', dataDir], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  engine.stdout?.on('data', (chunk: Buffer) => (engineLog += chunk.toString()));
  engine.stderr?.on('data', (chunk: Buffer) => (engineLog += chunk.toString()));
  endpoint = await until('endpoint.json', readEndpoint, 15_000);
  token = (await fs.readFile(endpoint.token_file, 'utf8')).trim();

  receiver = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      deliveries.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/mail`;

  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1100, height: 720 }, colorScheme: 'light' });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    // The browser logs every 4xx; the one expected here is the refused API key (422).
    const refusedKey = message.text().includes('status of 422');
    if (message.type() === 'error' && !refusedKey) pageErrors.push(message.text());
  });
  await fs.mkdir(SCREENSHOTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (engine?.exitCode === null) {
    const exited = new Promise((resolve) => engine.once('exit', resolve));
    engine.kill('SIGTERM');
    await exited;
  }
  receiver?.closeAllConnections();
  await new Promise((resolve) => receiver?.close(resolve));
  if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
}, 30_000);

describe('dashboard against the headless engine', () => {
  it('opens from its link, keeps the token out of the address bar, and shows status live', async () => {
    await page.goto(`${endpoint.url}/#token=${token}`);
    await until('the token to leave the address bar', () => (page.url().includes('token') ? null : true), 5_000);
    expect(page.url()).toBe(`${endpoint.url}/`);

    const account = page.getByRole('article', { name: /demo/ });
    await account.getByText('Live', { exact: true }).waitFor({ timeout: 15_000 });
    await page.getByRole('heading', { name: 'Local endpoint' }).waitFor();
    expect(await page.getByText(endpoint.url, { exact: true }).count()).toBeGreaterThan(0);

    // The status polls every 2 s: a committed event and a new consumer show without a reload.
    const before = await storedCount();
    const event = await testEvent();
    await until('the event count to grow', async () => ((await storedCount()) > before ? true : null), 4_000);
    const ack = await fetch(`${endpoint.url}/v1/consumers/triage-agent/ack`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ seq: event.seq - 1 }),
    });
    expect(ack.status).toBe(200);
    const row = page.getByRole('region', { name: 'Agents' }).getByRole('row', { name: /triage-agent/ });
    await row.waitFor({ timeout: 4_000 });
    expect(Number(await row.locator('td').nth(1).textContent())).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('shows a new mail in history within 2 s, without a reload', async () => {
    await page.getByRole('tab', { name: 'History' }).click();
    const list = page.getByRole('listbox', { name: 'Mail history' });
    await list.waitFor();
    const event = await testEvent();
    const started = Date.now();
    await page.locator(`#event-${event.seq}`).waitFor({ timeout: 2_000 });
    expect(Date.now() - started).toBeLessThan(2_000);
    // Newest first, whatever the demo provider slipped in meanwhile.
    const seqs = (await list.getByRole('option').evaluateAll((rows) => rows.map((row) => row.id))).map((id) => Number(id.slice(6)));
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    expect(seqs).toContain(event.seq);
  }, 30_000);

  it('is keyboard navigable: tabs with arrows, the list with up/down/enter', async () => {
    const search = page.getByRole('searchbox', { name: 'Search mail' });
    await search.focus();
    await page.keyboard.press('ArrowDown');
    const list = page.getByRole('listbox', { name: 'Mail history' });
    expect(await list.evaluate((element) => element === element.ownerDocument.activeElement)).toBe(true);
    // The first key in the list makes a row active; the rows are compared by id, not position, since the demo's next
    // sample mail may land at the top of the list meanwhile.
    await page.keyboard.press('ArrowDown');
    const first = await list.getAttribute('aria-activedescendant');
    expect(first).toMatch(/^event-\d+$/);
    await page.keyboard.press('ArrowDown');
    const second = await list.getAttribute('aria-activedescendant');
    expect(second).toMatch(/^event-\d+$/);
    expect(second).not.toBe(first);
    await page.keyboard.press('ArrowUp');
    expect(await list.getAttribute('aria-activedescendant')).toBe(first);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Redeliver' }).waitFor();
    expect(await list.locator(`[id="${first}"]`).getAttribute('aria-selected')).toBe('true');

    await page.getByRole('tab', { name: 'History' }).focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('tab', { name: 'Settings' }).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('ArrowLeft');
    expect(await page.getByRole('tab', { name: 'History' }).getAttribute('aria-selected')).toBe('true');
  }, 30_000);

  it('finds mail by full-text search and says when nothing matches', async () => {
    const event = await testEvent();
    const search = page.getByRole('searchbox', { name: 'Search mail' });
    const list = page.getByRole('listbox', { name: 'Mail history' });
    await search.fill('test event from');
    await page.locator(`#event-${event.seq}`).waitFor({ timeout: 5_000 });
    await until('only matches to be listed', async () => {
      const subjects = await list.getByRole('option').allTextContents();
      return subjects.length > 0 && subjects.every((text) => text.includes('Test event from Mailbridge')) ? true : null;
    }, 5_000);

    await search.fill('zzyzx-no-such-words');
    await page.getByText('Nothing matches').waitFor({ timeout: 5_000 });
    await search.press('Escape');
    await list.waitFor({ timeout: 5_000 });
  }, 30_000);

  it('sends an API key to the engine and clears it from the form, showing the provider\'s verdict', async () => {
    const status = (await (await fetch(`${endpoint.url}/v1/status`, { headers: { Authorization: `Bearer ${token}` } })).json()) as {
      accounts: { url: string }[];
    };
    await page.getByRole('tab', { name: 'Settings' }).click();
    const form = page.getByRole('form', { name: 'Add an account' });
    await form.getByRole('textbox', { name: 'Name' }).fill('second');
    await form.getByRole('textbox', { name: /WebSocket URL/ }).fill(status.accounts[0]?.url ?? '');
    const key = form.getByLabel('API key');
    await key.fill('not-the-demo-key');
    await form.getByRole('button', { name: 'Add account' }).click();
    expect(await key.inputValue()).toBe('');
    await form.getByRole('status').getByText(/rejected this key/).waitFor({ timeout: 10_000 });
  }, 30_000);

  it('adds a forward target in Settings, shows its secret once, and the target receives the next event signed', async () => {
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.getByRole('textbox', { name: 'Target URL' }).fill(receiverUrl);
    await page.getByRole('button', { name: 'Add target' }).click();
    const secretPanel = page.getByRole('region', { name: /Signing secret/ });
    await secretPanel.waitFor({ timeout: 5_000 });
    const secret = ((await secretPanel.locator('code').textContent()) ?? '').trim();
    expect(secret.length).toBeGreaterThan(20);
    await secretPanel.getByText('it will not be shown again').waitFor();
    await page.getByRole('button', { name: 'I have stored it' }).click();
    expect(await page.getByText(secret).count()).toBe(0);
    await page.locator('#panel-settings').getByText(receiverUrl, { exact: true }).waitFor();

    const event = await testEvent();
    const delivery = await until(
      'the forward target to receive the event',
      () => deliveries.find((entry) => entry.headers['x-event-id'] === event.event_id) ?? null,
      10_000,
    );
    const timestamp = String(delivery.headers['x-timestamp']);
    expect(delivery.headers['x-signature']).toBe(createHmac('sha256', secret).update(`${timestamp}.${delivery.body}`).digest('hex'));
    expect(JSON.parse(delivery.body)).toMatchObject({ event_id: event.event_id, event: 'message.received' });

    await page.locator('#panel-settings .view-scroll').evaluate((element) => element.scrollTo(0, 0));
    await page.screenshot({ path: path.join(SCREENSHOTS, 'settings.png') });

    // Status shows the delivery on its next poll.
    await page.getByRole('tab', { name: 'Status' }).click();
    const forwarding = page.getByRole('region', { name: 'Forwarding' });
    await forwarding.getByText(receiverUrl).waitFor({ timeout: 5_000 });
    await forwarding.getByText('Delivered', { exact: false }).first().waitFor();
  }, 60_000);

  it('reads a demo mail in full, and takes the history and status screenshots', async () => {
    await page.getByRole('tab', { name: 'History' }).click();
    const list = page.getByRole('listbox', { name: 'Mail history' });
    // The demo provider sends a sample mail every 6 s; a few of them make a more telling picture than test events.
    const demoMail = list.getByRole('option').filter({ hasNotText: 'Test event from Mailbridge' });
    await until('a few demo mails', async () => ((await demoMail.count()) >= 3 ? true : null), 30_000);
    await demoMail.first().click();
    await page.getByRole('button', { name: 'Redeliver' }).waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'history.png') });

    await page.getByRole('tab', { name: 'Status' }).click();
    await page.locator('#panel-status .view-scroll').evaluate((element) => element.scrollTo(0, 0));
    await page.screenshot({ path: path.join(SCREENSHOTS, 'status.png') });
  }, 60_000);

  it('pages through thousands of events with a constant handful of rows in the DOM', async () => {
    let newest = 0;
    for (let batch = 0; batch < 30; batch += 1) {
      const events = await Promise.all(Array.from({ length: 50 }, () => testEvent()));
      newest = Math.max(newest, ...events.map((event) => event.seq));
    }
    const list = page.getByRole('listbox', { name: 'Mail history' });
    await page.getByRole('tab', { name: 'History' }).click();
    // The burst is far more than a page: the live refresh follows it back page by page.
    await page.locator(`#event-${newest}`).waitFor({ timeout: 5_000 });

    const storedEvents = async (): Promise<number> =>
      ((await (await fetch(`${endpoint.url}/v1/status`, { headers: { Authorization: `Bearer ${token}` } })).json()) as { store: { events: number } }).store
        .events;
    const footer = page.locator('.list-foot');
    await list.focus();
    let mostRows = 0;
    await until('every page to load', async () => {
      await page.keyboard.press('End');
      mostRows = Math.max(mostRows, await list.getByRole('option').count());
      return (await footer.textContent())?.includes('+') ? null : true;
    }, 20_000);
    // The demo provider keeps sending mail meanwhile: the list and the store agree once the newest has shown up.
    const events = await until('the list to show every stored event', async () => {
      const stored = await storedEvents();
      return (await footer.textContent())?.includes(`${stored.toLocaleString('en-US')} events`) ? stored : null;
    }, 20_000);
    expect(Number(await list.getByRole('option').last().getAttribute('aria-setsize'))).toBeGreaterThanOrEqual(events);
    expect(mostRows).toBeLessThan(40);
  }, 90_000);

  it('logged no page errors (a CSP violation would be one)', () => {
    expect(pageErrors).toEqual([]);
  });
});
