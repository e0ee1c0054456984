// The tray's view of the mailbox: the newest mails for the menu and how many arrived since the window was
// last looked at.
import { MESSAGE_RECEIVED, type StoredEvent } from '../shared/event.ts';

export class RecentMail {
  readonly #keep: number;
  #latest: StoredEvent[] = [];
  #unread = 0;

  constructor(keep: number) {
    this.#keep = keep;
  }

  /** Newest first. */
  get latest(): readonly StoredEvent[] {
    return this.#latest;
  }

  get unread(): number {
    return this.#unread;
  }

  /** Mails already in the store at start: shown in the menu, not counted as unread. */
  seed(events: readonly StoredEvent[]): void {
    this.#merge(events);
  }

  /** Newly committed events; returns whether the tray needs redrawing. */
  add(events: readonly StoredEvent[]): boolean {
    const mails = events.filter((event) => event.event === MESSAGE_RECEIVED);
    if (mails.length === 0) return false;
    this.#unread += mails.length;
    this.#merge(mails);
    return true;
  }

  /** The person opened or focused the window. */
  markRead(): boolean {
    const changed = this.#unread > 0;
    this.#unread = 0;
    return changed;
  }

  #merge(events: readonly StoredEvent[]): void {
    const bySeq = new Map([...this.#latest, ...events.filter((e) => e.event === MESSAGE_RECEIVED)].map((e) => [e.seq, e]));
    this.#latest = [...bySeq.values()].sort((a, b) => b.seq - a.seq).slice(0, this.#keep);
  }
}
