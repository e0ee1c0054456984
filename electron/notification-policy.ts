// Which native notifications to show for committed events. One per new mail; a burst becomes one
// "N new messages"; the backlog replayed after sleep or a reconnect becomes one "N messages while you were
// away" instead of a flood. Pure apart from the injected clock: the adapter only displays the notices.
import { MESSAGE_RECEIVED, type StoredEvent } from '../shared/event.ts';
import type { NotificationSettings } from '../shared/settings.ts';
import type { TimerHandle, Timers } from '../daemon/clock.ts';
import { bodySnippet, senderName, subjectLine } from './mail-text.ts';

export type NoticeTarget = { kind: 'event'; seq: number } | { kind: 'list' };

export interface Notice {
  title: string;
  body: string;
  /** What a click opens: that mail, or the list for a summary. */
  target: NoticeTarget;
}

export interface NotificationPolicyOptions {
  /** Mails closer together than this are one burst (so the first waits this long for company). */
  quietMs: number;
  /** A steady stream is still reported at this interval. */
  maxHoldMs: number;
  /** After a wake or reconnect, events older than the wake and arriving this soon are the backlog. */
  backlogWindowMs: number;
  /** This many mails in one commit right after a wake or reconnect are a replay, whatever their dates say. */
  backlogBatch: number;
  snippetChars: number;
}

export const DEFAULT_NOTIFICATION_POLICY: NotificationPolicyOptions = {
  quietMs: 2_000,
  maxHoldMs: 8_000,
  backlogWindowMs: 60_000,
  backlogBatch: 5,
  snippetChars: 120,
};

interface Held {
  event: StoredEvent;
  backlog: boolean;
}

export class NotificationPolicy {
  readonly #o: NotificationPolicyOptions;
  readonly #timers: Timers;
  readonly #show: (notice: Notice) => void;
  #held: Held[] = [];
  #firstHeldAt = 0;
  #flushTimer: TimerHandle | null = null;
  #awakeAt: number | null = null;

  constructor(options: NotificationPolicyOptions, timers: Timers, show: (notice: Notice) => void) {
    this.#o = options;
    this.#timers = timers;
    this.#show = show;
  }

  /** The machine woke, the app started, or an account reconnected: a replay of older events may follow. */
  markAwake(): void {
    this.#awakeAt = this.#timers.now();
  }

  /** Committed events, with the notification settings as they are now. */
  offer(events: readonly StoredEvent[], settings: NotificationSettings): void {
    const now = this.#timers.now();
    const mails = events.filter((event) => event.event === MESSAGE_RECEIVED && wanted(event, settings, now));
    if (mails.length === 0) return;
    const sinceAwake = this.#awakeAt === null ? Number.POSITIVE_INFINITY : now - this.#awakeAt;
    const replayWindow = sinceAwake <= this.#o.backlogWindowMs;
    const bulk = replayWindow && mails.length >= this.#o.backlogBatch;
    if (this.#held.length === 0) this.#firstHeldAt = now;
    for (const event of mails) {
      const older = Date.parse(event.occurred_at) < (this.#awakeAt ?? Number.NEGATIVE_INFINITY);
      // A test event is what the person just asked for: never folded into "while you were away".
      this.#held.push({ event, backlog: event.test !== true && replayWindow && (bulk || older) });
    }
    this.#schedule(now);
  }

  /** Shows what is held now (the timer calls this when a burst is over). */
  flush(): void {
    if (this.#flushTimer !== null) this.#timers.clearTimeout(this.#flushTimer);
    this.#flushTimer = null;
    const held = this.#held;
    this.#held = [];
    const backlog = held.filter((h) => h.backlog).map((h) => h.event);
    const fresh = held.filter((h) => !h.backlog).map((h) => h.event);
    if (backlog.length > 0) this.#show(backlog.length === 1 ? this.#mail(backlog[0]!) : summary(`${backlog.length} messages while you were away`, backlog));
    if (fresh.length > 0) this.#show(fresh.length === 1 ? this.#mail(fresh[0]!) : summary(`${fresh.length} new messages`, fresh));
  }

  /** Drops what is held (on quit: a notification after the app is gone would open nothing). */
  stop(): void {
    if (this.#flushTimer !== null) this.#timers.clearTimeout(this.#flushTimer);
    this.#flushTimer = null;
    this.#held = [];
  }

  #schedule(now: number): void {
    if (this.#flushTimer !== null) this.#timers.clearTimeout(this.#flushTimer);
    const due = Math.min(now + this.#o.quietMs, this.#firstHeldAt + this.#o.maxHoldMs);
    this.#flushTimer = this.#timers.setTimeout(() => this.flush(), Math.max(0, due - now));
  }

  #mail(event: StoredEvent): Notice {
    const snippet = bodySnippet(event, this.#o.snippetChars);
    return {
      title: senderName(event),
      body: snippet ? `${subjectLine(event)}\n${snippet}` : subjectLine(event),
      target: { kind: 'event', seq: event.seq },
    };
  }
}

function wanted(event: StoredEvent, settings: NotificationSettings, now: number): boolean {
  if (!settings.enabled) return false;
  // The person pressed "send test event" to see this notification: a pause or a muted inbox does not hide it.
  if (event.test === true) return true;
  if (isPaused(settings, now)) return false;
  return event.inbox_id === null || !settings.mutedInboxes.includes(event.inbox_id);
}

export function isPaused(settings: Pick<NotificationSettings, 'pausedUntil'>, now: number): boolean {
  return settings.pausedUntil !== null && Date.parse(settings.pausedUntil) > now;
}

function summary(title: string, events: readonly StoredEvent[]): Notice {
  const senders = [...new Set(events.map(senderName))];
  const shown = senders.slice(0, 2);
  const others = senders.length - shown.length;
  const body = others > 0 ? `From ${shown.join(', ')} and ${others} other${others === 1 ? '' : 's'}` : `From ${shown.join(' and ')}`;
  return { title, body, target: { kind: 'list' } };
}
