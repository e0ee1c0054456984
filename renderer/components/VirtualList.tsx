// A listbox that renders only the rows in view (plus a few either side), so 100k rows scroll like 30. The
// windowing is @tanstack/react-virtual's; this adds the listbox: rows of one fixed height, focus kept on the
// list, the active row announced through aria-activedescendant and moved with the keyboard.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useImperativeHandle, useRef, type KeyboardEvent, type ReactNode, type Ref } from 'react';
import { isNavigationKey, nextIndex } from '../virtual/list-keys.ts';

export interface VirtualListHandle {
  /** Rows were inserted above: scroll down by as many, so what the person is reading stays put (unless at the top). */
  keepInPlace(insertedRows: number): void;
}

/** The rendered rows: `start` included, `end` excluded. */
export interface RowRange {
  start: number;
  end: number;
}

export interface VirtualListProps {
  ref?: Ref<VirtualListHandle>;
  label: string;
  count: number;
  rowHeight: number;
  overscan?: number;
  /** The keyboard cursor; -1 for none. */
  activeIndex: number;
  /** The row whose detail is open; -1 for none. */
  selectedIndex: number;
  rowId(index: number): string;
  renderRow(index: number): ReactNode;
  onActiveChange(index: number): void;
  /** Enter or a click. */
  onChoose(index: number): void;
  onRangeChange?(range: RowRange): void;
}

export function VirtualList(props: VirtualListProps): ReactNode {
  const { count, rowHeight, activeIndex, selectedIndex, onRangeChange } = props;
  const ref = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => ref.current,
    estimateSize: () => rowHeight,
    overscan: props.overscan ?? 8,
  });
  const rows = virtualizer.getVirtualItems();
  const start = rows[0]?.index ?? 0;
  const end = (rows.at(-1)?.index ?? -1) + 1;

  useEffect(() => {
    onRangeChange?.({ start, end });
  }, [start, end, onRangeChange]);

  useImperativeHandle(
    props.ref,
    () => ({
      keepInPlace(insertedRows) {
        const element = ref.current;
        if (element === null || element.scrollTop === 0 || insertedRows <= 0) return;
        virtualizer.scrollToOffset(element.scrollTop + insertedRows * rowHeight);
      },
    }),
    [virtualizer, rowHeight],
  );

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    if (isNavigationKey(event.key)) {
      event.preventDefault();
      const pageRows = Math.floor((virtualizer.scrollRect?.height ?? 0) / rowHeight);
      const index = nextIndex(activeIndex, event.key, count, pageRows);
      if (index < 0) return;
      virtualizer.scrollToIndex(index, { align: 'auto' });
      props.onActiveChange(index);
    } else if ((event.key === 'Enter' || event.key === ' ') && activeIndex >= 0) {
      event.preventDefault();
      props.onChoose(activeIndex);
    }
  };

  return (
    <div
      ref={ref}
      className="vlist"
      role="listbox"
      tabIndex={0}
      aria-label={props.label}
      aria-activedescendant={activeIndex >= 0 && activeIndex < count ? props.rowId(activeIndex) : undefined}
      onKeyDown={onKeyDown}
    >
      <div className="vlist-spacer" style={{ height: virtualizer.getTotalSize() }}>
        <div className="vlist-rows" style={{ transform: `translateY(${rows[0]?.start ?? 0}px)` }}>
          {rows.map(({ index }) => {
            const classes = ['vlist-row', index === activeIndex ? 'is-active' : '', index === selectedIndex ? 'is-selected' : ''];
            return (
              // biome-ignore lint/a11y/useFocusableInteractive lint/a11y/useKeyWithClickEvents: focus and keys stay on the listbox, which points at the active option (aria-activedescendant).
              <div
                key={props.rowId(index)}
                id={props.rowId(index)}
                role="option"
                aria-selected={index === selectedIndex}
                aria-posinset={index + 1}
                aria-setsize={count}
                className={classes.filter(Boolean).join(' ')}
                style={{ height: rowHeight }}
                onClick={() => {
                  props.onActiveChange(index);
                  props.onChoose(index);
                }}
              >
                {props.renderRow(index)}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
