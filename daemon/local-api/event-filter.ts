// The filters a long-poll or stream carries, checked in memory against each committed batch.
import type { StoredEvent } from '../../shared/event.ts';
import type { Principal } from '../../shared/principal.ts';
import { canSee } from '../access/visibility.ts';

export interface StreamFilter {
  inboxId?: string;
  eventType?: string;
}

export function matchesFilter(event: Pick<StoredEvent, 'inbox_id' | 'event'>, filter: StreamFilter): boolean {
  return (
    (filter.inboxId === undefined || event.inbox_id === filter.inboxId) &&
    (filter.eventType === undefined || event.event === filter.eventType)
  );
}

/** The events of `batch` a reader positioned at `after` has not seen, wants and may see, at most `limit` of them. */
export function selectEvents(
  batch: readonly StoredEvent[],
  after: number,
  limit: number,
  filter: StreamFilter,
  principal: Principal,
): StoredEvent[] {
  const selected: StoredEvent[] = [];
  for (const event of batch) {
    if (selected.length >= limit) break;
    if (event.seq > after && matchesFilter(event, filter) && canSee(principal, event)) selected.push(event);
  }
  return selected;
}
