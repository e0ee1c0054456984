// local_url on the commit path: ids that are stable and name nothing from the mail, events without attachments passed
// through untouched, a provider's own local_url never kept, and stored URLs given the origin of the run reading them.
import { describe, expect, it } from 'vitest';
import { attachmentId, rebaseLocalUrls, withLocalUrls } from '../../../daemon/attachments/local-url.ts';
import { attachmentIdOf, isAttachmentId } from '../../../shared/attachments.ts';
import type { MailAttachment, MailEvent } from '../../../shared/event.ts';

const ORIGIN = 'http://127.0.0.1:4319';

function mail(id: string, attachments?: MailAttachment[]): MailEvent {
  return {
    event: 'message.received',
    event_id: id,
    occurred_at: '2026-02-24T10:05:00.000Z',
    inbox_id: 'inb_a',
    message: { id: `msg_${id}`, from: 'a@example.com', to: 'b@example.com', subject: 'Hello', ...(attachments ? { attachments } : {}) },
  };
}

describe('attachmentId', () => {
  it('is the same for the same account, event and place, and differs otherwise', () => {
    const id = attachmentId('work', 'evt_1', 0);
    expect(isAttachmentId(id)).toBe(true);
    expect(attachmentId('work', 'evt_1', 0)).toBe(id);
    expect(new Set([id, attachmentId('work', 'evt_1', 1), attachmentId('home', 'evt_1', 0), attachmentId('work', 'evt_2', 0)]).size).toBe(4);
  });
});

describe('withLocalUrls', () => {
  it('passes a batch without attachments through as it is', () => {
    const batch = [mail('evt_1'), mail('evt_2', [])];
    expect(withLocalUrls('work', batch, ORIGIN)).toBe(batch);
  });

  it('adds a local_url under the origin to each attachment, keeping what the provider sent', () => {
    const file = { filename: 'a.pdf', contentType: 'application/pdf', sizeBytes: 10, url: 'https://files.example/a?sig=1' };
    const [plain, withFiles] = withLocalUrls('work', [mail('evt_1'), mail('evt_2', [file, file])], ORIGIN);
    expect(plain).toEqual(mail('evt_1'));
    expect(withFiles!.message!.attachments).toEqual([
      { ...file, local_url: `${ORIGIN}/v1/attachments/${attachmentId('work', 'evt_2', 0)}` },
      { ...file, local_url: `${ORIGIN}/v1/attachments/${attachmentId('work', 'evt_2', 1)}` },
    ]);
    expect(attachmentIdOf(withFiles!.message!.attachments![1]!.local_url!)).toBe(attachmentId('work', 'evt_2', 1));
  });

  it("never keeps a local_url a provider sent, and adds none without an endpoint", () => {
    const planted = { filename: 'a.pdf', contentType: 'application/pdf', sizeBytes: 10, local_url: 'https://evil.example/steal' };
    const [event] = withLocalUrls('work', [mail('evt_1', [planted])], null);
    expect(event!.message!.attachments).toEqual([{ filename: 'a.pdf', contentType: 'application/pdf', sizeBytes: 10 }]);
    const [served] = withLocalUrls('work', [mail('evt_1', [planted])], ORIGIN);
    expect(served!.message!.attachments![0]!.local_url).toMatch(/^http:\/\/127\.0\.0\.1:4319\/v1\/attachments\/att_/);
  });
});

describe('rebaseLocalUrls', () => {
  const stored = JSON.stringify(withLocalUrls('work', [mail('evt_1', [{ filename: 'a.pdf', contentType: 'application/pdf', sizeBytes: 1 }])], ORIGIN)[0]);

  it('gives stored local_urls the origin of the run that reads them, and changes nothing else', () => {
    const moved = rebaseLocalUrls(stored, 'http://127.0.0.1:50123');
    expect(moved).toBe(stored.replace(ORIGIN, 'http://127.0.0.1:50123'));
    expect(rebaseLocalUrls(stored, ORIGIN)).toBe(stored);
    const plain = JSON.stringify(mail('evt_2'));
    expect(rebaseLocalUrls(plain, 'http://127.0.0.1:1')).toBe(plain);
  });

  it('leaves text in a mail that only looks like a local_url alone', () => {
    const text = JSON.stringify({ ...mail('evt_3'), message: { ...mail('evt_3').message!, body_text: `"local_url":"${ORIGIN}/v1/attachments/x` } });
    expect(rebaseLocalUrls(text, 'http://127.0.0.1:1')).toBe(text);
  });
});
