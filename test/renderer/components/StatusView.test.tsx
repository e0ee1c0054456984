// The Status tab in Chromium against a fake engine: what a person sees of accounts, the endpoint, agents and
// forwarding, and which engine calls the buttons make.
import { describe, expect, it } from 'vitest';
import type { DeadLetter } from '../../../shared/status.ts';
import { StatusView } from '../../../renderer/components/StatusView.tsx';
import { ago, status, upstream } from './fixtures.ts';
import { renderView } from './render-view.tsx';
import { fakeData, stubData } from './stub-data.ts';

describe('StatusView', () => {
  it('says it is loading until the first status arrives', async () => {
    const screen = await renderView(<StatusView data={stubData} status={null} />);
    await expect.element(screen.getByText('Loading status…')).toBeVisible();
  });

  it('shows the store, the version and the demo mark in the heading', async () => {
    const screen = await renderView(<StatusView data={stubData} status={status({ demo: true })} />);
    await expect.element(screen.getByText(/1,234 events stored · started 1 h(ou)?r? ago · v0\.1\.0/)).toBeVisible();
    await expect.element(screen.getByText('Demo', { exact: true })).toBeVisible();
  });

  it('shows what the attachment store keeps and has still to fetch, and why it could not', async () => {
    const attachments = { kept: 12, pending: 2, failed: 0, evicted: 0, bytes: 3_250_000, maxFileBytes: 25 * 1024 ** 2, maxTotalBytes: 2 * 1024 ** 3, lastError: null };
    const screen = await renderView(<StatusView data={stubData} status={status({ attachments })} />);
    await expect.element(screen.getByText(/^1,234 events stored · 12 attachments kept \(3\.1 MB\), 2 to fetch · started/)).toBeVisible();
    expect(screen.getByRole('note').query()).toBeNull();

    const failing = { ...attachments, lastError: { at: ago(1), message: '"a.pdf" could not be written to the attachment store: the disk is full' } };
    const again = await renderView(<StatusView data={stubData} status={status({ attachments: failing })} />);
    await expect
      .element(again.getByRole('note'))
      .toHaveTextContent('Attachments not kept yet, last because: "a.pdf" could not be written to the attachment store: the disk is full');
  });

  it('shows each account with its connection state and what explains it', async () => {
    const accounts = [
      upstream('work'),
      upstream('side', { provider: 'agentmail', state: 'backoff', attempt: 3, lastError: 'socket hang up', nextRetryAt: new Date(Date.now() + 30_000).toISOString() }),
      upstream('old', { state: 'needs_key', lastError: 'openmail rejected this key (401)', cursor: null, lastEventAt: null }),
      upstream('gappy', { possibleGap: { at: ago(10), reason: 'the saved cursor was unknown to the provider' } }),
    ];
    const screen = await renderView(<StatusView data={stubData} status={status({ accounts })} />);

    const card = (name: string) => screen.getByRole('article', { name: new RegExp(`^${name} `) });
    await expect.element(card('work')).toMatchTextContent(/Live.*Attempts0.*Cursorevt_work_last.*Events7/);
    await expect.element(card('side')).toMatchTextContent(/agentmail.*Reconnecting.*Attempts3.*Next tryin \d+ s.*Last error socket hang up/);
    await expect.element(card('old')).toMatchTextContent(/Needs API key.*Last eventNone yet.*Cursor—.*Last error openmail rejected this key \(401\)/);
    await expect.element(card('gappy').getByRole('note')).toMatchTextContent(/Possible gap since .*: the saved cursor was unknown to the provider\. Events from that time may be missing\./);
    expect(card('work').getByRole('note').query()).toBeNull();
  });

  it('asks for an account when there is none', async () => {
    const screen = await renderView(<StatusView data={stubData} status={status({ accounts: [] })} />);
    await expect.element(screen.getByText('No accounts yet. Add one in Settings with its API key.')).toBeVisible();
  });

  it('shows where agents connect, and copies the token through the host', async () => {
    const fake = fakeData({}, { copyToken: async () => undefined });
    const screen = await renderView(<StatusView data={fake.data} status={status()} />);
    const panel = screen.getByRole('region', { name: 'Local endpoint' });
    await expect.element(panel).toMatchTextContent(/URLhttp:\/\/127\.0\.0\.1:4319.*Socket\/home\/jane\/\.config\/Mailbridge\/run\/mailbridge\.sock/);

    await panel.getByRole('button', { name: 'Copy token' }).click();
    await expect.element(panel.getByRole('button', { name: 'Copied' })).toBeVisible();
    expect(fake.argsOf('copyToken')).toEqual([[]]);
  });

  it('says when the endpoint has no socket, or is not running', async () => {
    const noSocket = status();
    noSocket.endpoint = { ...noSocket.endpoint!, socket: null };
    const screen = await renderView(<StatusView data={stubData} status={noSocket} />);
    await expect.element(screen.getByRole('region', { name: 'Local endpoint' })).toMatchTextContent(/SocketOff/);

    await screen.rerender(<StatusView data={stubData} status={status({ endpoint: null })} />);
    await expect.element(screen.getByRole('region', { name: 'Local endpoint' })).toMatchTextContent('The local endpoint is not running.');
    expect(screen.getByRole('button', { name: 'Copy token' }).query()).toBeNull();
  });

  it('lists named consumers with how far behind each one is', async () => {
    const consumers = [
      { name: 'triage-bot', ackedSeq: 1200, lag: 34, updatedAt: ago(1) },
      { name: 'archiver', ackedSeq: 1234, lag: 0, updatedAt: ago(3) },
    ];
    const screen = await renderView(<StatusView data={stubData} status={status({ consumers })} />);
    const rows = screen.getByRole('region', { name: 'Agents' }).getByRole('row');
    await expect.element(rows.nth(1)).toMatchTextContent(/triage-bot\s*1,200\s*34\s*1 min ago/);
    await expect.element(rows.nth(2)).toMatchTextContent(/archiver\s*1,234\s*0\s*3 min ago/);
  });

  it('shows how to connect an agent while none is named', async () => {
    const screen = await renderView(<StatusView data={stubData} status={status({ consumers: [] })} />);
    await expect.element(screen.getByRole('region', { name: 'Agents' })).toMatchTextContent(/No agent connected yet.*curl/);
  });

  it('shows each forward target with its counts and last answer, and lists and retries its dead letters', async () => {
    const letters: DeadLetter[] = [
      { id: 7, targetId: 'fwd_1', seq: 1201, eventId: 'evt_1201', attempts: 5, lastError: 'HTTP 500', at: ago(4), status: 'dead' },
      { id: 8, targetId: 'fwd_1', seq: 1202, eventId: 'evt_1202', attempts: 5, lastError: 'connection refused', at: ago(3), status: 'dead' },
    ];
    const fake = fakeData({
      deadLetters: async () => structuredClone(letters),
      retryDelivery: async (id) => {
        const letter = letters.find((each) => each.id === id)!;
        letter.status = 'retrying';
        return true;
      },
    });
    const forwards = [
      {
        id: 'fwd_1',
        url: 'http://127.0.0.1:8787/webhook',
        inboxIds: ['inb_main'],
        eventTypes: [],
        queued: 3,
        delivered: 1_500,
        deadLetters: 2,
        lastResult: { at: ago(1), ok: false, detail: 'HTTP 500' },
      },
      { id: 'fwd_2', url: 'http://127.0.0.1:9000/hook', inboxIds: [], eventTypes: [], queued: 0, delivered: 0, deadLetters: 0, lastResult: null },
    ];
    const screen = await renderView(<StatusView data={fake.data} status={status({ forwards })} />);
    const items = screen.getByRole('region', { name: 'Forwarding' }).getByRole('listitem');
    await expect.element(items.nth(0)).toMatchTextContent(/http:\/\/127\.0\.0\.1:8787\/webhook.*inb_main · all events.*Failed · HTTP 500 · 1 min ago/);
    await expect.element(items.nth(0)).toMatchTextContent(/Queued3Delivered1,500Dead letters2/);
    await expect.element(items.nth(1)).toMatchTextContent(/All inboxes · all events.*Nothing sent yet/);
    expect(items.nth(1).getByText('Show dead letters').query()).toBeNull();
    expect(fake.argsOf('deadLetters')).toEqual([]);

    await items.nth(0).getByText('Show dead letters').click();
    await expect.element(screen.getByRole('row', { name: /#1201 evt_1201/ })).toMatchTextContent(/5\s*HTTP 500\s*4 min ago\s*Retry/);
    expect(fake.argsOf('deadLetters')).toEqual([['fwd_1']]);

    await screen.getByRole('button', { name: 'Retry event 1201' }).click();
    await expect.element(screen.getByRole('row', { name: /#1201 evt_1201/ })).toMatchTextContent(/Retrying…/);
    expect(fake.argsOf('retryDelivery')).toEqual([[7]]);
    expect(fake.argsOf('deadLetters')).toEqual([['fwd_1'], ['fwd_1']]);
    await expect.element(screen.getByRole('button', { name: 'Retry event 1202' })).toBeEnabled();
  });

  it('shows where this engine publishes, under its name, with the state, the lag and the last error', async () => {
    const sink = {
      kind: 'nats' as const,
      id: 'nats:MAILBRIDGE',
      url: 'nats://broker.example.com:4222',
      stream: 'MAILBRIDGE',
      subjectPrefix: 'mailbridge',
      state: 'backoff' as const,
      since: ago(2),
      position: 1_100,
      lag: 134,
      published: 1_100,
      duplicates: 12,
      lastPublishedAt: ago(3),
      lastError: { at: ago(1), message: 'cannot reach NATS at nats://broker.example.com:4222: connection refused' },
      nextRetryAt: null,
      duplicateWindowSeconds: 86_400,
    };
    const screen = await renderView(<StatusView data={stubData} status={status({ engine: 'laptop-a', sinks: [sink] })} />);
    const panel = screen.getByRole('region', { name: 'Publishing' });
    await expect.element(panel).toMatchTextContent(/as engine laptop-a/);
    await expect.element(panel.getByRole('listitem')).toMatchTextContent(
      /Retrying nats:\/\/broker\.example\.com:4222 · stream MAILBRIDGE · mailbridge\.>.*cannot reach NATS at nats:\/\/broker\.example\.com:4222: connection refused · 1 min ago.*Last published 3 min ago/,
    );
    await expect.element(panel.getByRole('listitem')).toMatchTextContent(/Lag134Published1,100Already there12/);
  });

  it('shows no publishing panel when the engine publishes nowhere', async () => {
    const screen = await renderView(<StatusView data={stubData} status={status()} />);
    await expect.element(screen.getByRole('heading', { name: 'Status' })).toBeVisible();
    expect(screen.getByRole('region', { name: 'Publishing' }).query()).toBeNull();
  });

  it('sends a test event and reconnects on request, and shows what the engine refused', async () => {
    const fake = fakeData({ reconnect: async () => undefined });
    const screen = await renderView(<StatusView data={fake.data} status={status()} />);

    await screen.getByRole('button', { name: 'Reconnect now' }).click();
    await screen.getByRole('button', { name: 'Send test event' }).click();
    await expect.element(screen.getByRole('alert')).toMatchTextContent('testEvent is not answered by this test');
    expect(fake.calls.map((call) => call.method)).toEqual(['reconnect', 'testEvent']);
  });
});
