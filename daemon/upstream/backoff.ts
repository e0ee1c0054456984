// Exponential backoff with full jitter (AWS architecture blog's "Full Jitter"): spreads reconnects of many
// clients after a provider outage while keeping the expected wait short.

export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
  /** A connection live this long counts as stable and resets the attempt count. */
  stableMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 30_000, stableMs: 10_000 };

/**
 * Delay before connection attempt number `attempt` (0 = first retry after a stable connection dropped,
 * which goes at once: most drops are a network change, and the provider is usually fine).
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  if (attempt <= 0) return 0;
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(attempt - 1, 30));
  return Math.floor(random() * ceiling);
}
