// A listbox that renders only the rows in view (plus a few either side), so 100k rows scroll like 30. Rows have
// one fixed height; focus stays on the list and the active row is announced through aria-activedescendant.
import { useEffect, useImperativeHandle, useMemo, useRef, useState, type KeyboardEvent, type ReactNode, type Ref } from 'react';
import { useElementHeight } from '../hooks/useElementHeight.ts';
import { isNavigationKey, nextIndex, revealScrollTop, rowWindow, type RowWindow } from '../virtual/window-math.ts';

export interface VirtualListHandle {
  /** Rows were inserted above: scroll down by as many, so what the person is reading stays put (unless at the top). */
  keepInPlace(insertedRows: number): void;
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
  onRangeChange?(range: RowWindow): void;
}

export function VirtualList(props: VirtualListProps): ReactNode {
  const { count, rowHeight, activeIndex, selectedIndex, onRangeChange } = props;
  const ref = useRef<HTMLDivElement>(null);
  const viewportHeight = useElementHeight(ref);
  const [scrollTop, setScrollTop] = useState(0);
  const range = useMemo(
    () => rowWindow({ scrollTop, viewportHeight, rowHeight, count, overscan: props.overscan ?? 8 }),
    [scrollTop, viewportHeight, rowHeight, count, props.overscan],
  );

  useEffect(() => {
    onRangeChange?.(range);
  }, [range, onRangeChange]);

  useImperativeHandle(
    props.ref,
    () => ({
      keepInPlace(insertedRows) {
        const element = ref.current;
        if (element === null || element.scrollTop === 0 || insertedRows <= 0) return;
        element.scrollTop += insertedRows * rowHeight;
        setScrollTop(element.scrollTop);
      },
    }),
    [rowHeight],
  );

  const reveal = (index: number): void => {
    const element = ref.current;
    if (element === null) return;
    const top = revealScrollTop(index, rowHeight, element.scrollTop, element.clientHeight);
    if (top !== element.scrollTop) {
      element.scrollTop = top;
      setScrollTop(top);
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    if (isNavigationKey(event.key)) {
      event.preventDefault();
      const index = nextIndex(activeIndex, event.key, count, Math.floor(viewportHeight / rowHeight));
      if (index < 0) return;
      reveal(index);
      props.onActiveChange(index);
    } else if ((event.key === 'Enter' || event.key === ' ') && activeIndex >= 0) {
      event.preventDefault();
      props.onChoose(activeIndex);
    }
  };

  const rows: ReactNode[] = [];
  for (let index = range.start; index < range.end; index += 1) {
    const classes = ['vlist-row', index === activeIndex ? 'is-active' : '', index === selectedIndex ? 'is-selected' : ''];
    rows.push(
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
      </div>,
    );
  }

  return (
    <div
      ref={ref}
      className="vlist"
      role="listbox"
      tabIndex={0}
      aria-label={props.label}
      aria-activedescendant={activeIndex >= 0 && activeIndex < count ? props.rowId(activeIndex) : undefined}
      onKeyDown={onKeyDown}
      onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}
    >
      <div className="vlist-spacer" style={{ height: range.totalHeight }}>
        <div className="vlist-rows" style={{ transform: `translateY(${range.offset}px)` }}>
          {rows}
        </div>
      </div>
    </div>
  );
}
