import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { VirtualList } from '../../../renderer/components/VirtualList.tsx';

const noop = (): void => undefined;

describe('VirtualList', () => {
  it('renders a window of rows, not the whole list, with the full scroll height and listbox semantics', () => {
    const html = renderToStaticMarkup(
      <VirtualList
        label="Mail history"
        count={100_000}
        rowHeight={60}
        overscan={8}
        activeIndex={2}
        selectedIndex={3}
        rowId={(index) => `row-${index}`}
        renderRow={(index) => `Row ${index}`}
        onActiveChange={noop}
        onChoose={noop}
      />,
    );
    const rows = html.match(/role="option"/g) ?? [];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(20);
    expect(html).toContain('height:6000000px');
    expect(html).toContain('role="listbox"');
    expect(html).toContain('aria-label="Mail history"');
    expect(html).toContain('aria-activedescendant="row-2"');
    expect(html).toMatch(/id="row-3"[^>]*aria-selected="true"/);
    expect(html).toContain('aria-setsize="100000"');
    expect(html).toContain('tabindex="0"');
  });
});
