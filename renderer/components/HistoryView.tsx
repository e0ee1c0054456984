// The History tab: search and filters, the virtualized list, and the open event beside it.
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { HistoryItem } from '../../shared/local-api.ts';
import type { EndpointInfo } from '../../shared/status.ts';
import type { DataLayer } from '../data/data-layer.ts';
import { useAction } from '../hooks/useAction.ts';
import { useDebouncedValue } from '../hooks/useDebouncedValue.ts';
import { useHistory } from '../hooks/useHistory.ts';
import { useNow } from '../hooks/useNow.ts';
import { ConnectAgent } from './ConnectAgent.tsx';
import { ErrorNotice } from './ErrorNotice.tsx';
import { EventDetail } from './EventDetail.tsx';
import { HistoryFilters, type FilterValues } from './HistoryFilters.tsx';
import { HistoryList } from './HistoryList.tsx';

const SEARCH_DEBOUNCE_MS = 250;
const NO_FILTERS: FilterValues = { text: '', account: '', inbox: '', eventType: '' };

interface HistoryViewProps {
  data: DataLayer;
  accounts: readonly string[];
  endpoint: EndpointInfo | null;
  /** An event to open (a clicked notification); changes to it open it. */
  showSeq: number | null;
}

export function HistoryView({ data, accounts, endpoint, showSeq }: HistoryViewProps): ReactNode {
  const [filters, setFilters] = useState<FilterValues>(NO_FILTERS);
  const settled = useDebouncedValue(filters, SEARCH_DEBOUNCE_MS);
  const history = useHistory(data, {
    q: settled.text.trim(),
    account: settled.account,
    inbox_id: settled.inbox,
    event_type: settled.eventType,
  });
  const [activeSeq, setActiveSeq] = useState<number | null>(null);
  const [selectedSeq, setSelectedSeq] = useState<number | null>(null);
  const [fetched, setFetched] = useState<HistoryItem | null>(null);
  const [detailLoading, setDetailLoading] = useState(false);
  const searchRef = useRef<HTMLInputElement>(null);
  const listRef = useRef<HTMLDivElement>(null);
  const now = useNow(30_000);
  const testEvent = useAction(() => data.api.testEvent());

  useEffect(() => {
    if (showSeq !== null) setSelectedSeq(showSeq);
  }, [showSeq]);

  const listed = useMemo(() => history.items.find((item) => item.seq === selectedSeq) ?? null, [history.items, selectedSeq]);
  // An event outside the loaded pages (a notification for mail filtered out) is fetched on its own.
  useEffect(() => {
    if (selectedSeq === null || listed !== null) return;
    let current = true;
    setDetailLoading(true);
    data.api.event(selectedSeq).then(
      (item) => current && setFetched(item),
      () => current && setFetched(null),
    ).finally(() => current && setDetailLoading(false));
    return () => {
      current = false;
    };
  }, [data, selectedSeq, listed]);
  const selected = listed ?? (fetched?.seq === selectedSeq ? fetched : null);

  const inboxes = useMemo(() => {
    const seen = new Set<string>();
    for (const item of history.items.slice(0, 500)) if (item.event.inbox_id) seen.add(item.event.inbox_id);
    return [...seen].sort();
  }, [history.items]);

  const focusList = useCallback(() => listRef.current?.querySelector<HTMLElement>('[role="listbox"]')?.focus(), []);
  const filtered = settled.text.trim() !== '' || settled.account !== '' || settled.inbox !== '' || settled.eventType !== '';
  const empty = !history.loading && history.error === null && history.items.length === 0;

  return (
    <div className="history">
      <HistoryFilters
        values={filters}
        accounts={accounts}
        inboxes={inboxes}
        searchRef={searchRef}
        onChange={setFilters}
        onLeaveDown={focusList}
      />
      <div className="history-split">
        <div className="history-list" ref={listRef}>
          <ErrorNotice message={history.error} onRetry={history.reload} />
          {empty ? (
            filtered ? (
              <div className="empty-state">
                <h3>Nothing matches</h3>
                <p className="muted">Try other words, or clear the filters.</p>
                <button type="button" className="button" onClick={() => setFilters(NO_FILTERS)}>
                  Clear filters
                </button>
              </div>
            ) : (
              <>
                <ConnectAgent title="No mail yet" lead="New mail shows up here as it arrives. Agents can read it too:" endpoint={endpoint} />
                <div className="empty-actions">
                  <button type="button" className="button" disabled={testEvent.busy} onClick={() => void testEvent.run()}>
                    Send a test event
                  </button>
                  <ErrorNotice message={testEvent.error} />
                </div>
              </>
            )
          ) : (
            <HistoryList
              // A new query is a new list: it starts at the top.
              key={JSON.stringify(settled)}
              items={history.items}
              complete={history.complete}
              activeSeq={activeSeq}
              selectedSeq={selectedSeq}
              now={now}
              onActiveChange={setActiveSeq}
              onChoose={(item) => setSelectedSeq(item.seq)}
              onNeedOlder={history.loadOlder}
            />
          )}
          <div className="list-foot muted small" aria-live="polite">
            {history.loading && history.items.length === 0
              ? 'Loading…'
              : `${history.items.length.toLocaleString()}${history.complete ? '' : '+'} ${filtered ? 'matching events' : 'events'}`}
          </div>
        </div>
        <div className="history-detail">
          <EventDetail data={data} item={selected} loading={detailLoading} />
        </div>
      </div>
    </div>
  );
}
