// The history rows on top of VirtualList: time, sender, subject and inbox, newest first.
import { memo, useCallback, useLayoutEffect, useMemo, useRef, type ReactNode } from 'react';
import type { HistoryItem } from '../../shared/local-api.ts';
import { summarizeEvent } from '../format/event-summary.ts';
import { formatFullTime, formatListTime } from '../format/time.ts';
import { type RowRange, VirtualList, type VirtualListHandle } from './VirtualList.tsx';

export const ROW_HEIGHT = 60;
/** Fetch the next page while this many loaded rows are still below the window. */
const PREFETCH_ROWS = 60;

interface HistoryListProps {
  items: readonly HistoryItem[];
  complete: boolean;
  /** Rows are followed by seq, not position: new mail on top must not move the cursor to another message. */
  activeSeq: number | null;
  selectedSeq: number | null;
  now: number;
  onActiveChange(seq: number): void;
  onChoose(item: HistoryItem): void;
  onNeedOlder(): void;
}

const HistoryRow = memo(function HistoryRow({ item, now }: { item: HistoryItem; now: number }): ReactNode {
  const summary = summarizeEvent(item.event, item.stored_at);
  return (
    <div className="row">
      <div className="row-line">
        <span className="row-from truncate">{summary.from}</span>
        <time className="row-time" dateTime={summary.at} title={formatFullTime(summary.at)}>
          {formatListTime(summary.at, now)}
        </time>
      </div>
      <div className="row-line">
        <span className="row-subject truncate">{summary.subject}</span>
        {item.event.test === true && <span className="chip">Test</span>}
        {item.event.inbox_id !== null && <span className="chip chip-inbox truncate">{item.event.inbox_id}</span>}
      </div>
    </div>
  );
});

function indexOfSeq(items: readonly HistoryItem[], seq: number | null): number {
  return seq === null ? -1 : items.findIndex((item) => item.seq === seq);
}

export function HistoryList(props: HistoryListProps): ReactNode {
  const { items, complete, activeSeq, selectedSeq, onNeedOlder, onChoose, onActiveChange, now } = props;
  const selectedIndex = useMemo(() => indexOfSeq(items, selectedSeq), [items, selectedSeq]);
  const activeIndex = useMemo(() => indexOfSeq(items, activeSeq), [items, activeSeq]);

  const listRef = useRef<VirtualListHandle>(null);
  const headSeq = useRef<number | null>(null);
  useLayoutEffect(() => {
    const previous = headSeq.current;
    headSeq.current = items[0]?.seq ?? null;
    if (previous !== null) listRef.current?.keepInPlace(items.findIndex((item) => item.seq === previous));
  }, [items]);

  const onRangeChange = useCallback(
    (range: RowRange) => {
      if (!complete && items.length - range.end <= PREFETCH_ROWS) onNeedOlder();
    },
    [complete, items.length, onNeedOlder],
  );

  return (
    <VirtualList
      ref={listRef}
      label="Mail history"
      count={items.length}
      rowHeight={ROW_HEIGHT}
      activeIndex={activeIndex}
      selectedIndex={selectedIndex}
      rowId={(index) => `event-${items[index]?.seq ?? index}`}
      renderRow={(index) => {
        const item = items[index];
        return item === undefined ? null : <HistoryRow item={item} now={now} />;
      }}
      onActiveChange={(index) => {
        const item = items[index];
        if (item !== undefined) onActiveChange(item.seq);
      }}
      onChoose={(index) => {
        const item = items[index];
        if (item !== undefined) onChoose(item);
      }}
      onRangeChange={onRangeChange}
    />
  );
}
