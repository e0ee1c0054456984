// Binds a HistoryPager to React: a new query restarts it, committed events refresh its head.
import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import type { HistoryQuery } from '../../shared/local-api.ts';
import type { DataLayer } from '../data/data-layer.ts';
import { HistoryPager, type PagerSnapshot } from '../history/history-pager.ts';

export interface HistoryState extends PagerSnapshot {
  loadOlder(): void;
  reload(): void;
}

export function useHistory(data: DataLayer, query: HistoryQuery): HistoryState {
  const [pager] = useState(() => new HistoryPager(data.api));
  const snapshot = useSyncExternalStore(pager.subscribe, pager.getSnapshot);
  const { q, account, inbox_id, event_type } = query;

  useEffect(() => {
    pager.setQuery({ q, account, inbox_id, event_type });
  }, [pager, q, account, inbox_id, event_type]);

  useEffect(() => data.live.onEvents(() => pager.refreshNewer()), [data, pager]);

  // Stable, so the list's range effect does not re-run on every render.
  const loadOlder = useCallback(() => pager.loadOlder(), [pager]);
  const reload = useCallback(() => pager.reload(), [pager]);
  return { ...snapshot, loadOlder, reload };
}
