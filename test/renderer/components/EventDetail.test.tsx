import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { HistoryItem } from '../../../shared/local-api.ts';
import { EventDetail } from '../../../renderer/components/EventDetail.tsx';
import { stubData } from './stub-data.ts';

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

  it('offers Open only for web links', () => {
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
