// The REST GET a catch-up run makes: paced to stay under the provider's requests-a-minute limit (a window shared
// by every run of the account), a 429 waited out for as long as its Retry-After asks (up to a bound), and the
// whole of it cancelled at once when the account goes away.
import type { Timers } from '../clock.ts';
import type { RestGet } from '../providers/catch-up.ts';
import { restGetJson, type RestLimits } from '../providers/rest-client.ts';
import type { RestResult } from '../providers/rest-result.ts';
import type { RestTarget } from '../providers/rest.ts';
import { SlidingWindow } from '../rate-limit.ts';

/** A share of the provider's limit: the key may be used by other clients too. */
const SHARE_OF_LIMIT = 0.9;
/** A 429 without Retry-After waits this, doubling on each repeat. */
const DEFAULT_RATE_LIMIT_WAIT_MS = 1_000;
const MAX_RATE_LIMITED_TRIES = 5;

export interface PacedGetOptions {
  target: RestTarget;
  window: SlidingWindow;
  timers: Timers;
  signal: AbortSignal;
  maxRateLimitWaitMs: number;
  limits?: RestLimits;
}

/** The window for an account whose provider allows `requestsPerMinute`. */
export function requestWindow(requestsPerMinute: number): SlidingWindow {
  return new SlidingWindow(Math.max(1, Math.floor(requestsPerMinute * SHARE_OF_LIMIT)), 60_000);
}

export function pacedGet(options: PacedGetOptions): RestGet {
  const { target, window, timers, signal } = options;
  return async (path, query) => {
    for (let tries = 1; ; tries++) {
      await sleep(timers, window.waitMs(timers.now()), signal);
      window.record(timers.now());
      const result: RestResult<unknown> = await restGetJson(target, path, {
        ...(query && { query }),
        signal,
        ...(options.limits && { limits: options.limits }),
      });
      if (result.ok || result.failure.kind !== 'rate_limited' || signal.aborted) return result;
      const wait = result.failure.retryAfterMs ?? DEFAULT_RATE_LIMIT_WAIT_MS * 2 ** (tries - 1);
      if (wait > options.maxRateLimitWaitMs || tries >= MAX_RATE_LIMITED_TRIES) return result;
      await sleep(timers, wait, signal);
    }
  };
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(timers: Timers, ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      timers.clearTimeout(handle);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const handle = timers.setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
