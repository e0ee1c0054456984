// The providers' send limits, kept on our side so an agent learns of them before the provider does: a send that
// would go over waits for a free slot when one comes soon (queued), and is refused with Retry-After when not.
// Pure: the proxy passes the time in.
import { CodedError } from '../../shared/errors.ts';
import type { ProviderName } from '../../shared/status.ts';
import { SlidingWindow } from '../rate-limit.ts';

export interface SendLimit {
  sends: number;
  perMs: number;
}

/**
 * OpenMail: 10 sends a minute per inbox (its 200 a day is left to OpenMail, whose 429 passes through). AgentMail
 * limits sends by plan per month and myagentmail documents no limit: neither has one here.
 */
export const PROVIDER_SEND_LIMITS: Readonly<Record<ProviderName, SendLimit | null>> = {
  openmail: { sends: 10, perMs: 60_000 },
  agentmail: null,
  myagentmail: null,
};

/** A send that would wait longer than this is refused rather than held: most HTTP clients give up at 30 s. */
export const MAX_SEND_QUEUE_MS = 15_000;

/** A send refused by the send limit; nothing went to the provider. */
export class SendLimitedError extends CodedError {
  readonly retryAfterSeconds: number;

  constructor(message: string, retryAfterSeconds: number) {
    super('too_many_requests', message);
    this.name = 'SendLimitedError';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

interface InboxWindow {
  window: SlidingWindow;
  /** Idempotency keys sent within the window: a retry of one of them is no new send and takes no slot. */
  keys: Map<string, number>;
}

export class SendLimiter {
  readonly #limits: Readonly<Record<ProviderName, SendLimit | null>>;
  readonly #inboxes = new Map<string, InboxWindow>();

  constructor(limits: Readonly<Record<ProviderName, SendLimit | null>> = PROVIDER_SEND_LIMITS) {
    this.#limits = limits;
  }

  limit(provider: ProviderName): SendLimit | null {
    return this.#limits[provider];
  }

  /** 0 when the send may go now (its slot is taken); otherwise how many ms until a slot frees. */
  take(provider: ProviderName, account: string, inboxId: string, idempotencyKey: string, now: number): number {
    const limit = this.#limits[provider];
    if (limit === null) return 0;
    const id = `${account}\u0000${inboxId}`;
    let inbox = this.#inboxes.get(id);
    if (inbox === undefined) {
      inbox = { window: new SlidingWindow(limit.sends, limit.perMs), keys: new Map() };
      this.#inboxes.set(id, inbox);
    }
    for (const [key, at] of inbox.keys) if (at <= now - limit.perMs) inbox.keys.delete(key);
    if (inbox.keys.has(idempotencyKey)) return 0;
    const wait = inbox.window.waitMs(now);
    if (wait > 0) return wait;
    inbox.window.record(now);
    inbox.keys.set(idempotencyKey, now);
    return 0;
  }
}

/** What a refused send says: the limit, when the inbox may send again, and that nothing was sent. */
export function sendLimitedError(provider: ProviderName, limit: SendLimit, inboxId: string, waitMs: number): SendLimitedError {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  const per = limit.perMs === 60_000 ? 'a minute' : `per ${limit.perMs / 1000} s`;
  return new SendLimitedError(
    `${provider} allows ${limit.sends} sends ${per} per inbox: ${inboxId} may send again in ${seconds} s (Retry-After). Nothing was sent.`,
    seconds,
  );
}
