// Replay paging: which cursor may be persisted while a provider replays what a connection missed, and when to
// ask for the next page. OpenMail replays at most `cap` events after `last_event_id` per subscribe, and live
// events arrive beside the replay. A persisted cursor past events not yet replayed skips them for good: the chaos
// run once lost 903 events that way, when a live event in the same batch as a full page became the cursor.
// Pure apart from the injected clock: the connection feeds it what happens on the socket and does what it answers.
import type { TimerHandle, Timers } from '../clock.ts';

export interface ReplayPolicy {
  /** Whether a subscribe may carry a replay cursor at all. */
  supportsReplay: boolean;
  /** Most events one replay returns; null when unbounded, so there is never a next page. */
  cap: number | null;
  /** Quiet time after the acknowledgement or the last replayed event after which a short page is the end. */
  settleMs: number;
}

/** The replay page of the current subscribe: the first `cap` events after the provider acknowledged it. */
interface Page {
  acknowledged: boolean;
  count: number;
  settle: TimerHandle | null;
}

export class ReplayPager {
  readonly #policy: ReplayPolicy;
  readonly #timers: Timers;
  /** The replay is complete; `pagedPastCap` says whether it took more than one page. */
  readonly #onComplete: (pagedPastCap: boolean) => void;
  /** The cursor durably stored: what a subscribe carries. */
  #committed: string | null;
  /** The furthest event with nothing unreceived before it: the cursor that may be persisted. */
  #safe: string | null;
  /** The newest event received, which becomes safe once the replay is complete. */
  #newest: string | null;
  #page: Page | null = null;
  #pagedPastCap = false;

  constructor(policy: ReplayPolicy, timers: Timers, cursor: string | null, onComplete: (pagedPastCap: boolean) => void) {
    this.#policy = policy;
    this.#timers = timers;
    this.#onComplete = onComplete;
    this.#committed = this.#safe = this.#newest = cursor;
  }

  /** The committed cursor. */
  get cursor(): string | null {
    return this.#committed;
  }

  /** The cursor that may be persisted with every event received so far. */
  get persistable(): string | null {
    return this.#safe;
  }

  /** A subscribe is going out: answers the cursor it carries, and opens a page when the replay is capped. */
  subscribe(): string | null {
    this.#closePage();
    const lastEventId = this.#policy.supportsReplay ? this.#committed : null;
    if (lastEventId !== null && this.#policy.cap !== null) {
      // The page starts at the committed cursor: nothing after it counts as received until this page brings it.
      this.#safe = this.#newest = lastEventId;
      this.#page = { acknowledged: false, count: 0, settle: null };
    }
    return lastEventId;
  }

  /** The provider acknowledged the subscribe: the replay starts now. */
  acknowledged(): void {
    if (!this.#page) return;
    this.#page.acknowledged = true;
    this.#armSettle(this.#page);
  }

  /** An event arrived, replayed or live: only the page's own events move the safe cursor while a page is open. */
  event(eventId: string): void {
    this.#newest = eventId;
    const page = this.#page;
    if (!page) {
      this.#safe = eventId;
      return;
    }
    if (page.acknowledged && page.count < this.#policy.cap!) {
      page.count += 1;
      this.#safe = eventId;
      this.#armSettle(page);
    }
  }

  /** Events were stored with `cursor`. Answers whether to subscribe again: the page hit the cap, so more may follow. */
  committed(cursor: string | null): boolean {
    this.#committed = cursor;
    if (!this.#page || this.#page.count !== this.#policy.cap) return false;
    this.#pagedPastCap = true;
    return true;
  }

  /**
   * The provider does not know the cursor: nothing can be replayed, so what was received is as good as any, and
   * the gap this leaves is not one that paging can close.
   */
  forget(): void {
    this.#closePage();
    this.#committed = null;
    this.#safe = this.#newest;
    this.#pagedPastCap = false;
  }

  /** The socket is gone: an open page ends unfinished; the next subscribe starts again from the committed cursor. */
  abandon(): void {
    this.#closePage();
  }

  #armSettle(page: Page): void {
    if (page.settle !== null) this.#timers.clearTimeout(page.settle);
    page.settle = this.#timers.setTimeout(() => {
      page.settle = null;
      if (this.#page !== page || page.count === this.#policy.cap) return;
      // A short page: the backlog is done, and everything received since is safe to persist.
      this.#page = null;
      this.#safe = this.#newest;
      const pagedPastCap = this.#pagedPastCap;
      this.#pagedPastCap = false;
      this.#onComplete(pagedPastCap);
    }, this.#policy.settleMs);
  }

  #closePage(): void {
    if (this.#page && this.#page.settle !== null) this.#timers.clearTimeout(this.#page.settle);
    this.#page = null;
  }
}
