// When catch-up runs and how far back it looks. Pure: the numbers, and the start of the window for one inbox.
import type { BackoffPolicy } from '../upstream/backoff.ts';

export interface CatchUpPolicy {
  /** The last net: a catch-up this often even when nothing suggests a gap. */
  intervalMs: number;
  /** How far before the newest mail already seen a catch-up starts again: mail the provider lists late, with
   * an earlier time, is still found. */
  overlapMs: number;
  /** A brand-new account looks back only to when it was added, less this allowance for the provider's clock
   * being behind ours. */
  clockSkewMs: number;
  /** Mail received this recently is left to the socket, which is most likely pushing it (with the provider's own
   * event id); a run that left any out runs once more this much later, and takes it then. */
  settleMs: number;
  /** Retries after a failed catch-up (the attempt count resets after one that completes). */
  backoff: BackoffPolicy;
  /** Mail a run fetches before it commits what it has (oldest first) and goes on: bounded memory. */
  commitEvery: number;
  /** A 429 asking for longer than this ends the run; the retry then waits at least as long. */
  maxRateLimitWaitMs: number;
}

export const DEFAULT_CATCH_UP: CatchUpPolicy = {
  intervalMs: 10 * 60_000,
  overlapMs: 5 * 60_000,
  clockSkewMs: 60_000,
  settleMs: 2_000,
  backoff: { baseMs: 5_000, capMs: 5 * 60_000, stableMs: 0 },
  commitEvery: 500,
  maxRateLimitWaitMs: 60_000,
};

/** Where one account's catch-up starts before any inbox has a watermark of its own. */
export interface AccountStart {
  /** When the account was first seen (epoch ms, our clock). */
  firstSeenAt: number;
  /** Epoch ms before which no mail is fetched for an inbox that has no watermark yet. */
  startAt: number;
}

/**
 * The start for an account seen for the first time: back to the newest mail already held (an account that ran
 * before catch-up existed), with the overlap; else only the time since it was added.
 */
export function accountStart(now: number, newestHeld: number | null, policy: CatchUpPolicy): AccountStart {
  return {
    firstSeenAt: now,
    startAt: newestHeld === null ? now - policy.clockSkewMs : Math.min(newestHeld, now) - policy.overlapMs,
  };
}

/** The window's start for one inbox: the newest mail a complete listing of it saw, less the overlap; the
 * account's start for an inbox never listed completely. Never before the account's start. */
export function windowStart(watermark: number | null, start: AccountStart, policy: CatchUpPolicy): number {
  return watermark === null ? start.startAt : Math.max(start.startAt, watermark - policy.overlapMs);
}
