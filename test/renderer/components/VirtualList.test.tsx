// The list window in Chromium: a handful of rows out of 100k, listbox semantics, and the keyboard.
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { userEvent } from 'vitest/browser';
import { type RowRange, VirtualList } from '../../../renderer/components/VirtualList.tsx';
import { renderView } from './render-view.tsx';

const COUNT = 100_000;
const ROW_HEIGHT = 60;

/** The list as HistoryList drives it: the cursor and the choice live in the parent. */
function Harness({ onChoose, onRange }: { onChoose(index: number): void; onRange?(range: RowRange): void }) {
  const [active, setActive] = useState(-1);
  const [selected, setSelected] = useState(-1);
  return (
    <div className="history-list" style={{ height: 600 }}>
      <VirtualList
        label="Mail history"
        count={COUNT}
        rowHeight={ROW_HEIGHT}
        activeIndex={active}
        selectedIndex={selected}
        rowId={(index) => `row-${index}`}
        renderRow={(index) => `Row ${index}`}
        onActiveChange={setActive}
        onChoose={(index) => {
          setSelected(index);
          onChoose(index);
        }}
        onRangeChange={onRange}
      />
    </div>
  );
}

describe('VirtualList', () => {
  it('renders a window of rows, not the whole list, over the full scroll height', async () => {
    const ranges: RowRange[] = [];
    const screen = await renderView(<Harness onChoose={() => undefined} onRange={(range) => ranges.push(range)} />);
    const list = screen.getByRole('listbox', { name: 'Mail history' });
    await expect.element(list.getByText('Row 0', { exact: true })).toBeVisible();
    const element = list.element() as HTMLElement;
    expect(element.scrollHeight).toBe(COUNT * ROW_HEIGHT);
    const rendered = list.getByRole('option').elements();
    expect(rendered.length).toBeGreaterThan(600 / ROW_HEIGHT);
    expect(rendered.length).toBeLessThan(40);
    expect(rendered[0]!.getAttribute('aria-setsize')).toBe(String(COUNT));
    expect(ranges.at(-1)).toEqual({ start: 0, end: rendered.length });

    element.scrollTop = 50_000 * ROW_HEIGHT;
    await expect.element(list.getByText('Row 50000', { exact: true })).toBeVisible();
    expect(list.getByText('Row 0', { exact: true }).query()).toBeNull();
    expect(list.getByRole('option').elements().length).toBeLessThan(40);
    await expect.poll(() => ranges.at(-1)!.start).toBeLessThan(50_000);
    expect(ranges.at(-1)!.end).toBeGreaterThan(50_000);
  });

  it('moves the active row with the keyboard, keeps it in view, and chooses it with Enter or a click', async () => {
    const chosen: number[] = [];
    const screen = await renderView(<Harness onChoose={(index) => chosen.push(index)} />);
    const list = screen.getByRole('listbox', { name: 'Mail history' });
    await expect.element(list).toHaveAttribute('tabindex', '0');
    (list.element() as HTMLElement).focus();

    await userEvent.keyboard('{ArrowDown}{ArrowDown}{ArrowDown}{ArrowUp}');
    await expect.element(list).toHaveAttribute('aria-activedescendant', 'row-1');
    await userEvent.keyboard('{Enter}');
    expect(chosen).toEqual([1]);
    await expect.element(list.getByRole('option', { name: 'Row 1', exact: true })).toHaveAttribute('aria-selected', 'true');

    await userEvent.keyboard('{PageDown}');
    await expect.element(list).toHaveAttribute('aria-activedescendant', 'row-11');
    await userEvent.keyboard('{End}');
    await expect.element(list).toHaveAttribute('aria-activedescendant', `row-${COUNT - 1}`);
    await expect.element(list.getByText(`Row ${COUNT - 1}`, { exact: true })).toBeInViewport();
    await userEvent.keyboard('{Home}');
    await expect.element(list.getByText('Row 0', { exact: true })).toBeInViewport();
    await expect.element(list).toHaveAttribute('aria-activedescendant', 'row-0');

    await list.getByText('Row 3', { exact: true }).click();
    expect(chosen).toEqual([1, 3]);
    await expect.element(list).toHaveAttribute('aria-activedescendant', 'row-3');
  });
});
