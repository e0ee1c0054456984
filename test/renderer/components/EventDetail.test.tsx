import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { HistoryItem } from '../../../shared/local-api.ts';
import { EventDetail } from '../../../renderer/components/EventDetail.tsx';
import { renderView } from './render-view.tsx';
import { fakeData, stubData } from './stub-data.ts';

const hostile: HistoryItem = {
  seq: 42,
  account: 'work',
  stored_at: '2026-02-24T10:05:00.100Z',
  event: {
    event: 'message.received',
    event_id: 'evt_7f2a3b4c',
    occurred_at: '2026-02-24T10:05:00.000Z',
    inbox_id: 'inb_8f3a1b2c',
    thread_id: 'thr_9d4e5f6a',
    message: {
      id: 'msg_4c8d5e6f',
      from: 'Mallory <mallory@evil.example>',
      to: 'jane@openmail.sh',
      cc: ['a@x.example', 'b@x.example'],
      subject: '<img src=x onerror=alert(1)>',
      body_text: 'Click https://evil.example now <script>alert(1)</script>',
      attachments: [
        { filename: 'report.pdf', contentType: 'application/pdf', sizeBytes: 12_345, url: 'https://api.openmail.sh/v1/attachments/1' },
        { filename: 'trap.html', contentType: 'text/html', sizeBytes: 10, url: 'javascript:alert(1)' },
      ],
    },
  },
};

describe('EventDetail', () => {
  const html = renderToStaticMarkup(<EventDetail data={stubData} item={hostile} loading={false} />);

  it('renders subject and body as text, never as markup, and links nothing', () => {
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('<a ');
    expect(html).not.toContain('href=');
  });

  it('shows the headers, ids and human-readable attachment sizes', () => {
    for (const text of ['Mallory &lt;mallory@evil.example&gt;', 'jane@openmail.sh', 'a@x.example, b@x.example', 'evt_7f2a3b4c', 'msg_4c8d5e6f', 'thr_9d4e5f6a', 'inb_8f3a1b2c']) {
      expect(html).toContain(text);
    }
    expect(html).toContain('application/pdf · 12 KB');
    expect(html).toContain('2 attachments');
  });

  it('offers Open only for web links where Mailbridge keeps no copy', () => {
    expect(html).toContain('aria-label="Open report.pdf in the browser"');
    expect(html).not.toContain('Open trap.html');
  });

  it('has the raw JSON as agents receive it, and a Redeliver button', () => {
    expect(html).toContain('Raw JSON');
    expect(html).toContain('&quot;seq&quot;: 42');
    expect(html).toMatch(/<button[^>]*>Redeliver<\/button>/);
  });

  it('asks for a selection when nothing is open', () => {
    expect(renderToStaticMarkup(<EventDetail data={stubData} item={null} loading={false} />)).toContain('Select a message');
  });
});

describe('EventDetail attachments kept by Mailbridge', () => {
  const KEPT_URL = 'http://127.0.0.1:4319/v1/attachments/att_AAAAAAAAAAAAAAAAAAAAAAAA';
  const withKept: HistoryItem = {
    ...hostile,
    event: {
      ...hostile.event,
      message: {
        ...hostile.event.message!,
        attachments: [
          { filename: 'report.pdf', contentType: 'application/pdf', sizeBytes: 12_345, url: 'https://api.openmail.sh/v1/attachments/1', local_url: KEPT_URL },
          { filename: 'trap.html', contentType: 'text/html', sizeBytes: 10, local_url: `${KEPT_URL}B` },
        ],
      },
    },
  };

  it('opens a passive file and saves any file through the data layer, and offers only Save for a type that can run code', async () => {
    const fake = fakeData({}, { openAttachment: async () => {}, saveAttachment: async () => {} });
    const screen = await renderView(<EventDetail data={fake.data} item={withKept} loading={false} />);
    const list = screen.getByRole('region', { name: 'Attachments' });
    await list.getByRole('button', { name: 'Open report.pdf' }).click();
    await list.getByRole('button', { name: 'Save trap.html' }).click();
    expect(list.getByRole('button', { name: 'Open trap.html' }).query()).toBeNull();
    // The kept copy, not the provider's link.
    expect(list.getByRole('button', { name: 'Open report.pdf in the browser' }).query()).toBeNull();
    await expect.poll(() => fake.calls.map((call) => call.method)).toEqual(['openAttachment', 'saveAttachment']);
    expect(fake.argsOf('openAttachment')).toEqual([[{ filename: 'report.pdf', contentType: 'application/pdf', local_url: KEPT_URL }]]);
    expect(fake.argsOf('saveAttachment')).toEqual([[{ filename: 'trap.html', contentType: 'text/html', local_url: `${KEPT_URL}B` }]]);
  });

  it('shows why a file could not be had beside it', async () => {
    const fake = fakeData({}, { saveAttachment: async () => Promise.reject(new Error('the provider could not be reached: HTTP 500')) });
    const screen = await renderView(<EventDetail data={fake.data} item={withKept} loading={false} />);
    const item = screen.getByRole('region', { name: 'Attachments' }).getByRole('listitem').nth(0);
    await item.getByRole('button', { name: 'Save report.pdf' }).click();
    await expect.element(item).toMatchTextContent(/the provider could not be reached: HTTP 500$/);
  });
});
