// Search and filters above the history list. ArrowDown in the search box moves on to the list.
import type { KeyboardEvent, ReactNode, RefObject } from 'react';
import { KNOWN_EVENT_TYPES } from '../format/event-types.ts';

export interface FilterValues {
  text: string;
  account: string;
  inbox: string;
  eventType: string;
}

interface HistoryFiltersProps {
  values: FilterValues;
  accounts: readonly string[];
  inboxes: readonly string[];
  searchRef: RefObject<HTMLInputElement | null>;
  onChange(values: FilterValues): void;
  onLeaveDown(): void;
}

export function HistoryFilters({ values, accounts, inboxes, searchRef, onChange, onLeaveDown }: HistoryFiltersProps): ReactNode {
  const set = (change: Partial<FilterValues>): void => onChange({ ...values, ...change });
  const onSearchKey = (event: KeyboardEvent<HTMLInputElement>): void => {
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      onLeaveDown();
    } else if (event.key === 'Escape' && values.text !== '') {
      event.preventDefault();
      set({ text: '' });
    }
  };
  return (
    <search className="filters">
      <input
        ref={searchRef}
        type="search"
        className="input search"
        placeholder="Search mail"
        aria-label="Search mail"
        value={values.text}
        onChange={(event) => set({ text: event.target.value })}
        onKeyDown={onSearchKey}
      />
      <select className="input" aria-label="Account" value={values.account} onChange={(event) => set({ account: event.target.value })}>
        <option value="">All accounts</option>
        {accounts.map((account) => (
          <option key={account} value={account}>
            {account}
          </option>
        ))}
      </select>
      <input
        className="input inbox-filter"
        placeholder="Any inbox"
        aria-label="Inbox id"
        list="known-inboxes"
        value={values.inbox}
        onChange={(event) => set({ inbox: event.target.value.trim() })}
      />
      <datalist id="known-inboxes">
        {inboxes.map((inbox) => (
          <option key={inbox} value={inbox} />
        ))}
      </datalist>
      <select className="input" aria-label="Event type" value={values.eventType} onChange={(event) => set({ eventType: event.target.value })}>
        <option value="">All events</option>
        {KNOWN_EVENT_TYPES.map((type) => (
          <option key={type} value={type}>
            {type}
          </option>
        ))}
      </select>
    </search>
  );
}
