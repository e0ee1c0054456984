import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../../shared/event.ts';
import { RecentFrames, type RecentFramesLimits } from '../../../daemon/local-api/recent-frames.ts';
import { mailEvent } from './harness.ts';

const WIDE: RecentFramesLimits = { maxEvents: 1_000, maxBytes: 1_000_000, maxAgeMs: 60_000 };

function frames(limits: RecentFramesLimits = WIDE) {
  let latest = 0;
  let now = 0;
  let serialized = 0;
  const recent = new RecentFrames({
    serialize: (event) => {
      serialized += 1;
      return `<${event.seq}>`;
    },
    latestSeq: () => latest,
    now: () => now,
    limits,
  });
  const commit = (n: number, overrides: Partial<StoredEvent> = {}): StoredEvent[] => {
    const batch = Array.from({ length: n }, () => ({ ...mailEvent(), ...overrides, seq: ++latest }));
    recent.append(batch);
    return batch;
  };
  return { recent, commit, tick: (ms: number) => (now += ms), serialized: () => serialized };
}

const all = (): boolean => true;

/** A page with its bytes read as text. */
const text = (page: { chunk: Buffer; count: number; lastSeq: number }) => ({ text: page.chunk.toString(), count: page.count, lastSeq: page.lastSeq });

describe('RecentFrames', () => {
  it('covers what is committed after it opens, serializing each event once however many readers page through it', () => {
    const { recent, commit, serialized } = frames();
    commit(3);
    expect(recent.covers(3)).toBe(false);
    recent.open();
    expect(recent.covers(2)).toBe(false);
    expect(recent.covers(3)).toBe(true);
    commit(4);
    for (let reader = 0; reader < 10; reader++) expect(text(recent.page(3, all, 1_000))).toEqual({ text: '<4><5><6><7>', count: 4, lastSeq: 7 });
    expect(text(recent.page(5, all, 1_000))).toEqual({ text: '<6><7>', count: 2, lastSeq: 7 });
    expect(text(recent.page(7, all, 1_000))).toEqual({ text: '', count: 0, lastSeq: 7 });
    expect(serialized()).toBe(4);
  });

  it('passes over unwanted events (the reader moves past them) and stops near the byte budget', () => {
    const { recent, commit } = frames();
    recent.open();
    commit(2, { inbox_id: 'inb_a' });
    commit(2, { inbox_id: 'inb_b' });
    expect(text(recent.page(0, (event) => event.inbox_id === 'inb_a', 1_000))).toEqual({ text: '<1><2>', count: 2, lastSeq: 4 });
    expect(text(recent.page(0, all, 6))).toEqual({ text: '<1><2>', count: 2, lastSeq: 2 });
  });

  it('keeps at most maxEvents and maxBytes, and no longer covers what it dropped', () => {
    const { recent, commit } = frames({ maxEvents: 5, maxBytes: 1_000, maxAgeMs: 60_000 });
    recent.open();
    commit(8);
    expect(recent.size).toBe(5);
    expect(recent.covers(2)).toBe(false);
    expect(recent.covers(3)).toBe(true);
    expect(recent.page(3, all, 1_000).chunk.toString()).toBe('<4><5><6><7><8>');

    const small = frames({ maxEvents: 100, maxBytes: 9, maxAgeMs: 60_000 });
    small.recent.open();
    small.commit(5);
    expect(small.recent.size).toBe(3);
  });

  it('lets frames go once they are older than maxAgeMs, and holds nothing once closed', () => {
    const { recent, commit, tick } = frames({ maxEvents: 100, maxBytes: 1_000, maxAgeMs: 1_000 });
    recent.open();
    commit(2);
    tick(1_500);
    commit(1);
    expect(recent.size).toBe(1);
    expect(recent.covers(2)).toBe(true);
    expect(recent.covers(1)).toBe(false);
    recent.close();
    expect(recent.size).toBe(0);
    expect(recent.covers(3)).toBe(false);
    commit(1);
    expect(recent.size).toBe(0);
  });
});
