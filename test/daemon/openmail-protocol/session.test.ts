import { describe, expect, it } from 'vitest';
import type { ClientFrame } from '../../../daemon/openmail-protocol/client-frames.ts';
import { answerFrame, type ServerLog } from '../../../daemon/openmail-protocol/session.ts';
import { subscribe } from '../../../daemon/openmail-protocol/subscription.ts';

/** A log of three events on an account that owns inboxes a and b. */
const log: ServerLog<number> = {
  positionOf: (eventId) => ['evt_1', 'evt_2', 'evt_3'].indexOf(eventId) + 1 || null,
  foreignInbox: (inboxIds) => inboxIds.find((id) => id !== 'a' && id !== 'b'),
};

const subscribeFrame = (inboxIds: string[], lastEventId: string | null = null): ClientFrame => ({
  type: 'subscribe',
  inboxIds,
  eventTypes: [],
  lastEventId,
});

describe('answerFrame', () => {
  it('subscribes, echoes the whole subscription and starts a replay only for a cursor', () => {
    const first = answerFrame(null, subscribeFrame(['a']), log);
    expect(first).toEqual({
      subscription: subscribe(null, ['a'], []),
      frames: [{ type: 'subscribed', inbox_ids: ['a'], event_types: [] }],
      replayAfter: null,
    });
    const second = answerFrame(first.subscription, subscribeFrame(['b'], 'evt_2'), log);
    expect(second.frames).toEqual([{ type: 'subscribed', inbox_ids: ['a', 'b'], event_types: [] }]);
    expect(second.replayAfter).toBe(2);
  });

  it('leaves the subscription as it was when a subscribe is refused, naming a foreign inbox before a bad cursor', () => {
    const current = subscribe(null, ['a'], []);
    expect(answerFrame(current, subscribeFrame(['b', 'z'], 'evt_unknown'), log)).toEqual({
      subscription: current,
      frames: [{ type: 'error', message: 'Unauthorized inbox: z' }],
      replayAfter: null,
    });
    expect(answerFrame(current, subscribeFrame(['b'], 'evt_unknown'), log)).toEqual({
      subscription: current,
      frames: [{ type: 'error', message: 'Unknown last_event_id' }],
      replayAfter: null,
    });
  });

  it('answers ping with pong, ack with nothing, and unsubscribe with its echo', () => {
    const current = subscribe(null, ['a', 'b'], []);
    expect(answerFrame(current, { type: 'ping' }, log)).toEqual({
      subscription: current,
      frames: [{ type: 'pong' }],
      replayAfter: null,
    });
    expect(answerFrame(current, { type: 'ack' }, log)).toEqual({ subscription: current, frames: [], replayAfter: null });
    expect(answerFrame(current, { type: 'unsubscribe', inboxIds: ['a'] }, log)).toEqual({
      subscription: subscribe(null, ['b'], []),
      frames: [{ type: 'unsubscribed', inbox_ids: ['a'] }],
      replayAfter: null,
    });
    expect(answerFrame(current, { type: 'unsubscribe', inboxIds: [] }, log).subscription).toBeNull();
  });
});
