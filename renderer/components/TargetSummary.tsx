// A forward target as one glance: where it posts, and which events it takes.
import type { ReactNode } from 'react';
import { describeIdList } from '../format/id-list.ts';

export function TargetSummary({ target }: { target: { url: string; inboxIds: string[]; eventTypes: string[] } }): ReactNode {
  return (
    <>
      <span className="mono truncate" title={target.url}>
        {target.url}
      </span>
      <span className="muted small">
        {describeIdList(target.inboxIds, 'All inboxes')} · {describeIdList(target.eventTypes, 'all events')}
      </span>
    </>
  );
}
