import { describe, expect, it } from 'vitest';
import { ReplayPager, type ReplayPolicy } from '../../../daemon/upstream/replay.ts';
import { ManualClock } from '../../support/manual-clock.ts';

const OPENMAIL: ReplayPolicy = { supportsReplay: true, cap: 100, settleMs: 1_000 };

function setup(cursor: string | null = 'evt_0', policy: ReplayPolicy = OPENMAIL) {
  const clock = new ManualClock();
  const completions: boolean[] = [];
  const replay = new ReplayPager(policy, clock, cursor, (pagedPastCap) => completions.push(pagedPastCap));
  return { clock, replay, completions };
}

const ids = (prefix: string, from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${from + i}`);

/** OpenMail's replay as documented: the events after the cursor, oldest first, at most `cap`; live mail joins the log. */
class ProviderLog {
  readonly events: string[];
  #live = 0;

  constructor(events: string[]) {
    this.events = events;
  }

  replay(after: string | null, cap: number): string[] {
    if (after === null) return [];
    return this.events.slice(this.events.indexOf(after) + 1).slice(0, cap);
  }

  live(): string {
    const id = `live_${++this.#live}`;
    this.events.push(id);
    return id;
  }
}

/** Each feed: the page for the latest subscribe and one live event, in one read, committed as one batch. */
function catchUp(replay: ReplayPager, provider: ProviderLog, clock: ManualClock) {
  const received = new Set<string>();
  const subscribes: (string | null)[] = [];
  const cursors: (string | null)[] = [];
  for (let round = 0; round < 20; round++) {
    const lastEventId = replay.subscribe();
    subscribes.push(lastEventId);
    replay.acknowledged();
    for (const id of [...provider.replay(lastEventId, OPENMAIL.cap!), provider.live()]) {
      replay.event(id);
      received.add(id);
    }
    cursors.push(replay.persistable);
    if (!replay.committed(replay.persistable)) break;
  }
  clock.advance(OPENMAIL.settleMs);
  return { received, subscribes, cursors };
}

describe('ReplayPager', () => {
  it('subscribes with the committed cursor and moves the cursor with each replayed event', () => {
    const { replay } = setup();
    expect(replay.subscribe()).toBe('evt_0');
    replay.acknowledged();
    replay.event('evt_1');
    replay.event('evt_2');
    expect(replay.persistable).toBe('evt_2');
    expect(replay.committed('evt_2')).toBe(false);
    expect(replay.cursor).toBe('evt_2');
  });

  it('keeps the committed cursor for events that arrive before the provider acknowledges the subscribe', () => {
    const { replay } = setup();
    replay.subscribe();
    replay.event('live_1');
    expect(replay.persistable).toBe('evt_0');
  });

  it('the 903-event loss: a live event in the same batch as a full page never becomes the cursor', () => {
    const { clock, replay, completions } = setup();
    const provider = new ProviderLog(['evt_0', ...ids('evt_', 1, 250)]);
    const { received, subscribes, cursors } = catchUp(replay, provider, clock);
    // Each page starts where the previous one ended, not at the live event that arrived beside it.
    expect(subscribes).toEqual(['evt_0', 'evt_100', 'evt_200']);
    expect(cursors).toEqual(['evt_100', 'evt_200', 'live_3']);
    expect(provider.events.slice(1).filter((id) => !received.has(id))).toEqual([]);
    // Caught up: a short page settled, so everything received is safe, and the gap the paging flagged is closed.
    expect(completions).toEqual([true]);
    expect(replay.persistable).toBe(provider.events.at(-1));
  });

  it('asks for the next page only when a page comes back full', () => {
    const { replay } = setup();
    replay.subscribe();
    replay.acknowledged();
    for (const id of ids('evt_', 1, 99)) replay.event(id);
    expect(replay.committed(replay.persistable)).toBe(false);
    replay.event('evt_100');
    expect(replay.committed(replay.persistable)).toBe(true);
    expect(replay.subscribe()).toBe('evt_100');
  });

  it('ends the replay when a short page settles: then the newest event is the cursor', () => {
    const { clock, replay, completions } = setup();
    replay.subscribe();
    replay.acknowledged();
    for (const id of ids('evt_', 1, 100)) replay.event(id);
    replay.event('live_1');
    clock.advance(OPENMAIL.settleMs * 5);
    // A full page does not settle: the next page is asked for once the page is committed.
    expect(completions).toEqual([]);
    expect(replay.persistable).toBe('evt_100');
    replay.committed('evt_100');
    replay.subscribe();
    replay.acknowledged();
    replay.event('evt_101');
    clock.advance(OPENMAIL.settleMs - 1);
    expect(completions).toEqual([]);
    replay.event('live_2');
    clock.advance(OPENMAIL.settleMs);
    expect(completions).toEqual([true]);
    expect(replay.persistable).toBe('live_2');
  });

  it('settles an empty replay after the acknowledgement and leaves the cursor where it was', () => {
    const { clock, replay, completions } = setup();
    replay.subscribe();
    replay.acknowledged();
    clock.advance(OPENMAIL.settleMs);
    expect(completions).toEqual([false]);
    expect(replay.persistable).toBe('evt_0');
  });

  it('keeps only what the page covered when the socket drops mid-page, and starts again from the committed cursor', () => {
    const { clock, replay, completions } = setup();
    replay.subscribe();
    replay.acknowledged();
    for (const id of ids('evt_', 1, 100)) replay.event(id);
    replay.event('live_1');
    replay.abandon();
    expect(replay.persistable).toBe('evt_100');
    expect(replay.committed('evt_100')).toBe(false);
    clock.advance(OPENMAIL.settleMs * 5);
    expect(completions).toEqual([]);
    expect(replay.subscribe()).toBe('evt_100');
  });

  it('does not move the cursor past a batch that failed to commit', () => {
    const { replay } = setup();
    replay.subscribe();
    replay.acknowledged();
    replay.event('evt_1');
    replay.abandon();
    // No committed() call: the store refused the batch, so the next subscribe asks from the old cursor.
    expect(replay.subscribe()).toBe('evt_0');
    replay.event('live_1');
    expect(replay.persistable).toBe('evt_0');
  });

  it('forgets an unknown cursor: subscribes without one, and a later replay does not close that gap', () => {
    const { clock, replay, completions } = setup();
    replay.subscribe();
    replay.acknowledged();
    for (const id of ids('evt_', 1, 100)) replay.event(id);
    replay.committed('evt_100');
    replay.subscribe();
    replay.forget();
    expect(replay.cursor).toBe(null);
    expect(replay.subscribe()).toBe(null);
    replay.event('live_1');
    expect(replay.persistable).toBe('live_1');
    replay.committed('live_1');
    replay.abandon();
    expect(replay.subscribe()).toBe('live_1');
    replay.acknowledged();
    clock.advance(OPENMAIL.settleMs);
    expect(completions).toEqual([false]);
  });

  it('never sends a cursor to a provider without replay, and every event is the cursor', () => {
    const { clock, replay, completions } = setup('evt_0', { supportsReplay: false, cap: null, settleMs: 1_000 });
    expect(replay.subscribe()).toBe(null);
    replay.acknowledged();
    replay.event('evt_1');
    expect(replay.persistable).toBe('evt_1');
    expect(replay.committed('evt_1')).toBe(false);
    clock.advance(10_000);
    expect(completions).toEqual([]);
    expect(clock.pendingCount).toBe(0);
  });

  it('never pages a replay without a cap', () => {
    const { replay } = setup('evt_0', { supportsReplay: true, cap: null, settleMs: 1_000 });
    expect(replay.subscribe()).toBe('evt_0');
    replay.acknowledged();
    for (const id of ids('evt_', 1, 500)) replay.event(id);
    expect(replay.committed(replay.persistable)).toBe(false);
    expect(replay.cursor).toBe('evt_500');
  });
});
