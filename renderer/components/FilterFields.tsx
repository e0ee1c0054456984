// The inbox and event-type filters an account or a forward target takes: comma- or space-separated ids,
// empty meaning "all".
import type { ReactNode } from 'react';

interface FilterFieldsProps {
  inboxes: string;
  eventTypes: string;
  onInboxes: (value: string) => void;
  onEventTypes: (value: string) => void;
}

export function FilterFields({ inboxes, eventTypes, onInboxes, onEventTypes }: FilterFieldsProps): ReactNode {
  return (
    <>
      <label>
        <span>Inbox ids</span>
        <input className="input" placeholder="All inboxes" value={inboxes} onChange={(event) => onInboxes(event.target.value)} />
      </label>
      <label>
        <span>Event types</span>
        <input className="input" placeholder="All events" value={eventTypes} onChange={(event) => onEventTypes(event.target.value)} />
      </label>
    </>
  );
}
