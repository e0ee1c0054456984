// The history list's state outside React: one query at a time, pages fetched one after another (never two
// requests racing to write the list), and results of a query that has since changed thrown away.
import type { ControlApi } from '../../shared/control.ts';
import type { HistoryItem, HistoryQuery } from '../../shared/local-api.ts';
import { errorMessage } from '../data/api-error.ts';
import { appendOlder, fetchNewer, prependNewer } from './history-pages.ts';

export const PAGE_SIZE = 200;

export interface PagerSnapshot {
  items: readonly HistoryItem[];
  loading: boolean;
  /** True once the oldest matching event is in `items`. */
  complete: boolean;
  error: string | null;
}

export class HistoryPager {
  readonly #api: Pick<ControlApi, 'history'>;
  readonly #pageSize: number;
  readonly #listeners = new Set<() => void>();
  #query: HistoryQuery = {};
  #generation = 0;
  /** `before` for the next older page; undefined until the first page is in, null at the end. */
  #nextBefore: number | null | undefined;
  #olderQueued = false;
  #newerQueued = false;
  #queue: Promise<void> = Promise.resolve();
  // A pager exists to load: it reads as loading until its first query is answered.
  #snapshot: PagerSnapshot = { items: [], loading: true, complete: false, error: null };

  constructor(api: Pick<ControlApi, 'history'>, pageSize: number = PAGE_SIZE) {
    this.#api = api;
    this.#pageSize = pageSize;
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  readonly getSnapshot = (): PagerSnapshot => this.#snapshot;

  /** Starts over with a new query: the list empties and the newest page loads. */
  setQuery(query: HistoryQuery): void {
    this.#generation += 1;
    this.#query = query;
    this.#nextBefore = undefined;
    this.#olderQueued = false;
    this.#newerQueued = false;
    this.#update({ items: [], loading: true, complete: false, error: null });
    this.#loadOlderNow();
  }

  /** Runs the current query again, e.g. after a failed first page. */
  reload(): void {
    this.setQuery(this.#query);
  }

  /** The next older page, unless one is on its way or there is none. */
  loadOlder(): void {
    if (this.#nextBefore === undefined || this.#nextBefore === null || this.#olderQueued) return;
    this.#loadOlderNow();
  }

  /** New events were committed: fetch whatever matches and is newer than the head. Calls coalesce. */
  refreshNewer(): void {
    if (this.#newerQueued) return;
    this.#newerQueued = true;
    this.#enqueue(async (isCurrent) => {
      this.#newerQueued = false;
      // Before the first page is in, that page will contain the new events anyway.
      if (this.#nextBefore === undefined) return;
      const newer = await fetchNewer(this.#api, this.#query, this.#snapshot.items[0]?.seq ?? 0, this.#pageSize);
      if (isCurrent() && newer.length > 0) this.#update({ items: prependNewer(this.#snapshot.items, newer) });
    });
  }

  #loadOlderNow(): void {
    this.#olderQueued = true;
    if (this.#nextBefore !== undefined) this.#update({ loading: true });
    this.#enqueue(async (isCurrent) => {
      const before = this.#nextBefore ?? undefined;
      const page = await this.#api.history({ ...this.#query, before, limit: this.#pageSize });
      if (!isCurrent()) return;
      this.#olderQueued = false;
      this.#nextBefore = page.next_before;
      this.#update({
        items: appendOlder(this.#snapshot.items, page.items),
        loading: false,
        complete: page.next_before === null,
        error: null,
      });
    });
  }

  #enqueue(operation: (isCurrent: () => boolean) => Promise<void>): void {
    const generation = this.#generation;
    const isCurrent = (): boolean => generation === this.#generation;
    const run = async (): Promise<void> => {
      if (!isCurrent()) return;
      try {
        await operation(isCurrent);
      } catch (error) {
        if (!isCurrent()) return;
        this.#olderQueued = false;
        this.#update({ loading: false, error: errorMessage(error) });
      }
    };
    this.#queue = this.#queue.then(run);
  }

  #update(change: Partial<PagerSnapshot>): void {
    this.#snapshot = { ...this.#snapshot, ...change };
    for (const listener of [...this.#listeners]) listener();
  }
}
