import { describe, expect, it } from 'vitest';
import { canTransition, InvalidTransitionError, UpstreamStatusTracker } from '../../../daemon/upstream/state.ts';

describe('upstream state machine', () => {
  it('follows connecting -> subscribing -> live -> stale -> backoff -> connecting', () => {
    let now = 0;
    const tracker = new UpstreamStatusTracker({ account: 'a', provider: 'openmail', url: 'wss://x/v1/ws', cursor: null }, () => now);
    const seen: string[] = [];
    tracker.onChange((s) => seen.push(s.state));
    for (const state of ['connecting', 'subscribing', 'live', 'stale', 'backoff', 'connecting'] as const) {
      now += 1_000;
      tracker.transition(state);
    }
    expect(seen).toEqual(['connecting', 'subscribing', 'live', 'stale', 'backoff', 'connecting']);
    expect(tracker.snapshot().since).toBe(new Date(6_000).toISOString());
  });

  it('refuses a jump that skips the subscription', () => {
    const tracker = new UpstreamStatusTracker({ account: 'a', provider: 'openmail', url: 'u', cursor: null }, () => 0);
    tracker.transition('connecting');
    expect(() => tracker.transition('live')).toThrow(InvalidTransitionError);
    expect(tracker.state).toBe('connecting');
  });

  it('only leaves needs_key through a new connection or a stop', () => {
    expect(canTransition('needs_key', 'connecting')).toBe(true);
    expect(canTransition('needs_key', 'backoff')).toBe(false);
    expect(canTransition('needs_key', 'live')).toBe(false);
  });

  it('keeps the retry time and last error in the snapshot', () => {
    const tracker = new UpstreamStatusTracker({ account: 'a', provider: 'openmail', url: 'u', cursor: null }, () => 0);
    tracker.transition('connecting');
    tracker.transition('backoff', { lastError: 'refused', nextRetryAt: 5_000 });
    const status = tracker.snapshot();
    expect(status.lastError).toBe('refused');
    expect(status.nextRetryAt).toBe(new Date(5_000).toISOString());
  });
});
