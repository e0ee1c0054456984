import { describe, expect, it } from 'vitest';
import { attachmentBytes } from '../../../daemon/demo/attachment-files.ts';
import { DEFAULT_INBOXES, SampleGenerator, seededRandom } from '../../../daemon/demo/samples.ts';
import type { MailEvent } from '../../../shared/event.ts';

const CLOCK = () => Date.parse('2026-02-24T10:05:00.000Z');

function take(generator: SampleGenerator, count: number): MailEvent[] {
  return Array.from({ length: count }, () => generator.next());
}

describe('seededRandom', () => {
  it('repeats its sequence for a seed and stays within [0, 1)', () => {
    const [a, b] = [seededRandom(42), seededRandom(42)];
    const values = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(values);
    expect(values.every((value) => value >= 0 && value < 1)).toBe(true);
  });
});

describe('SampleGenerator', () => {
  it('produces the same mail for the same seed and clock, and different mail for another seed', () => {
    const first = take(new SampleGenerator({ seed: 1, now: CLOCK }), 50);
    expect(take(new SampleGenerator({ seed: 1, now: CLOCK }), 50)).toEqual(first);
    expect(take(new SampleGenerator({ seed: 2, now: CLOCK }), 50)).not.toEqual(first);
  });

  it('never repeats an id', () => {
    const events = take(new SampleGenerator({ seed: 3 }), 2000);
    const eventIds = new Set(events.map((event) => event.event_id));
    const messageIds = new Set(events.map((event) => event.message!.id));
    expect(eventIds.size).toBe(2000);
    expect(messageIds.size).toBe(2000);
  });

  it("matches OpenMail's message.received payload shape", () => {
    const inboxes = ['inb_8f3a1b2c', 'inb_0c1d2e3f'];
    const events = take(new SampleGenerator({ seed: 4, inboxes, now: CLOCK }), 300);
    for (const event of events) {
      expect(event).toMatchObject({
        event: 'message.received',
        event_id: expect.stringMatching(/^evt_[0-9a-f]{12}$/),
        occurred_at: '2026-02-24T10:05:00.000Z',
        delivered_at: '2026-02-24T10:05:00.000Z',
        attempt: 1,
        thread_id: expect.stringMatching(/^thr_[0-9a-f]+$/),
      });
      expect(inboxes).toContain(event.inbox_id);
      expect(Object.keys(event).sort()).toEqual(
        ['attempt', 'delivered_at', 'event', 'event_id', 'inbox_id', 'message', 'occurred_at', 'thread_id'].sort(),
      );
      const message = event.message!;
      expect(message).toMatchObject({
        id: expect.stringMatching(/^msg_[0-9a-f]+$/),
        rfc_message_id: expect.stringMatching(/^<[^<>@\s]+@[^<>@\s]+>$/),
        from: expect.stringMatching(/^[^@\s]+@[^@\s]+$/),
        to: expect.stringMatching(/@demo\.openmail\.sh$/),
        subject: expect.any(String),
        body_text: expect.any(String),
        received_at: '2026-02-24T10:05:00.000Z',
      });
      expect(Array.isArray(message.cc)).toBe(true);
      expect(message).not.toHaveProperty('body_html');
      for (const attachment of message.attachments ?? []) {
        expect(Object.keys(attachment).sort()).toEqual(['contentType', 'extractionMethod', 'filename', 'parsedText', 'sizeBytes', 'url']);
      }
    }
    expect(events.some((event) => (event.message!.attachments ?? []).length > 0)).toBe(true);
    expect(events.some((event) => (event.message!.attachments ?? []).length === 0)).toBe(true);
  });

  it('mixes kinds of mail and continues some conversations in the same thread', () => {
    const events = take(new SampleGenerator({ seed: 5, now: CLOCK }), 300);
    const subjects = events.map((event) => event.message!.subject);
    for (const pattern of [/^Invoice INV-/, /^\[.+\] Run (failed|succeeded)/, /^Invitation: /, /^\[Ticket #\d+\]/, /verification code/, /has shipped$/]) {
      expect(subjects.some((subject) => pattern.test(subject))).toBe(true);
    }
    const byThread = new Map<unknown, MailEvent[]>();
    for (const event of events) byThread.set(event.thread_id, [...(byThread.get(event.thread_id) ?? []), event]);
    const conversations = [...byThread.values()].filter((thread) => thread.length > 1);
    expect(conversations.length).toBeGreaterThan(0);
    for (const thread of conversations) {
      expect(new Set(thread.map((event) => event.inbox_id)).size).toBe(1);
      expect(thread.slice(1).every((event) => event.message!.subject.startsWith('Re: '))).toBe(true);
    }
  });

  it('attaches text files, PDFs and PNGs whose declared size is the size of their bytes', () => {
    const attachments = take(new SampleGenerator({ seed: 8, now: CLOCK }), 300).flatMap((event) => event.message!.attachments ?? []);
    expect(new Set(attachments.map((attachment) => attachment.contentType))).toEqual(
      new Set(['text/plain', 'text/calendar', 'application/pdf', 'image/png']),
    );
    for (const attachment of attachments) expect(attachmentBytes(attachment).length).toBe(attachment.sizeBytes);
  });

  it('sends to the default inboxes when none are given', () => {
    const events = take(new SampleGenerator({ seed: 6 }), 50);
    expect(events.every((event) => DEFAULT_INBOXES.includes(event.inbox_id!))).toBe(true);
  });
});
