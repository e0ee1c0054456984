// The History tab in Chromium against a fake engine holding a store of mail: the list, search, filters, the
// open message, and new mail arriving.
import { describe, expect, it } from 'vitest';
import { userEvent } from 'vitest/browser';
import type { ControlApi } from '../../../shared/control.ts';
import type { HistoryItem, HistoryQuery, HistoryResponse } from '../../../shared/local-api.ts';
import { HistoryView } from '../../../renderer/components/HistoryView.tsx';
import { mail, status } from './fixtures.ts';
import { renderView } from './render-view.tsx';
import { fakeData } from './stub-data.ts';

const ENDPOINT = status().endpoint;

/** The engine's history over `store` (any order): newest first, filtered and paged as the route does. */
function historyOf(store: HistoryItem[]): Pick<ControlApi, 'history' | 'event'> {
  return {
    history: async (query: HistoryQuery): Promise<HistoryResponse> => {
      const limit = query.limit ?? 50;
      const items = store
        .filter((item) => query.before === undefined || item.seq < query.before)
        .filter((item) => !query.q || String(item.event.message?.subject).toLowerCase().includes(query.q.toLowerCase()))
        .filter((item) => !query.account || item.account === query.account)
        .filter((item) => !query.inbox_id || item.event.inbox_id === query.inbox_id)
        .filter((item) => !query.event_type || item.event.event === query.event_type)
        .sort((a, b) => b.seq - a.seq)
        .slice(0, limit);
      return { items, next_before: items.length === limit ? items.at(-1)!.seq : null };
    },
    event: async (seq) => store.find((item) => item.seq === seq) ?? null,
  };
}

function mailbox(count: number): HistoryItem[] {
  return Array.from({ length: count }, (_, index) => mail(index + 1));
}

const queries = (calls: unknown[][]) => calls.map(([query]) => query as HistoryQuery);

describe('HistoryView', () => {
  it('lists mail newest first, counts it, and opens a message beside the list', async () => {
    const fake = fakeData(historyOf(mailbox(500)));
    const screen = await renderView(<HistoryView data={fake.data} accounts={['work']} endpoint={ENDPOINT} showSeq={null} />);
    const list = screen.getByRole('listbox', { name: 'Mail history' });

    await expect.element(list.getByRole('option').first()).toMatchTextContent(/sender500@example\.com.*Message 500.*inb_main/);
    await expect.element(screen.getByText('200+ events')).toBeVisible();
    await expect.element(screen.getByText('Select a message to read it here.')).toBeVisible();

    await list.getByText('Message 498', { exact: true }).click();
    await expect.element(screen.getByRole('heading', { name: 'Message 498' })).toBeVisible();
    await expect.element(screen.getByText('Body of message 498')).toBeVisible();
    await expect.element(list.getByRole('option', { selected: true })).toMatchTextContent(/Message 498/);
  });

  it('loads older pages as the list is scrolled towards its end, until the oldest', async () => {
    const fake = fakeData(historyOf(mailbox(450)));
    const screen = await renderView(<HistoryView data={fake.data} accounts={['work']} endpoint={ENDPOINT} showSeq={null} />);
    const list = screen.getByRole('listbox', { name: 'Mail history' });
    await expect.element(screen.getByText('200+ events')).toBeVisible();
    expect(queries(fake.argsOf('history'))).toEqual([{ q: '', account: '', inbox_id: '', event_type: '', before: undefined, limit: 200 }]);

    const element = list.element() as HTMLElement;
    element.scrollTop = element.scrollHeight;
    await expect.element(screen.getByText('400+ events')).toBeVisible();
    element.scrollTop = element.scrollHeight;
    await expect.element(screen.getByText('450 events', { exact: true })).toBeVisible();
    expect(queries(fake.argsOf('history')).map((query) => query.before)).toEqual([undefined, 251, 51]);
    element.scrollTop = element.scrollHeight;
    await expect.element(list.getByText('Message 1', { exact: true })).toBeVisible();
  });

  it('searches as the person types, and offers to clear the search when nothing matches', async () => {
    const store = [mail(1, { subject: 'Invoice 2026-11' }), mail(2, { subject: 'Lunch?' }), mail(3, { subject: 'Your invoice is ready' })];
    const fake = fakeData(historyOf(store));
    const screen = await renderView(<HistoryView data={fake.data} accounts={['work']} endpoint={ENDPOINT} showSeq={null} />);
    const list = screen.getByRole('listbox', { name: 'Mail history' });
    await expect.element(screen.getByText('3 events', { exact: true })).toBeVisible();

    await screen.getByRole('searchbox', { name: 'Search mail' }).fill('invoice');
    await expect.element(screen.getByText('2 matching events')).toBeVisible();
    expect(list.getByRole('option').elements().map((row) => row.textContent)).toEqual([
      expect.stringContaining('Your invoice is ready'),
      expect.stringContaining('Invoice 2026-11'),
    ]);
    expect(queries(fake.argsOf('history')).at(-1)).toMatchObject({ q: 'invoice' });

    await screen.getByRole('searchbox', { name: 'Search mail' }).fill('receipt');
    await expect.element(screen.getByRole('heading', { name: 'Nothing matches' })).toBeVisible();
    await screen.getByRole('button', { name: 'Clear filters' }).click();
    await expect.element(screen.getByRole('searchbox', { name: 'Search mail' })).toHaveValue('');
    await expect.element(screen.getByText('3 events', { exact: true })).toBeVisible();
  });

  it('filters by account, inbox and event type', async () => {
    const store = [
      mail(1, { account: 'work', inbox: 'inb_a' }),
      mail(2, { account: 'side', inbox: 'inb_b' }),
      { ...mail(3, { account: 'side', inbox: 'inb_b' }), event: { ...mail(3).event, event: 'message.bounced', inbox_id: 'inb_b' } },
    ];
    const fake = fakeData(historyOf(store));
    const screen = await renderView(<HistoryView data={fake.data} accounts={['work', 'side']} endpoint={ENDPOINT} showSeq={null} />);
    await expect.element(screen.getByText('3 events', { exact: true })).toBeVisible();

    await screen.getByRole('combobox', { name: 'Account' }).selectOptions('side');
    await expect.element(screen.getByText('2 matching events')).toBeVisible();
    await screen.getByRole('combobox', { name: 'Event type' }).selectOptions('message.bounced');
    await expect.poll(() => queries(fake.argsOf('history')).at(-1)).toMatchObject({ account: 'side', event_type: 'message.bounced', inbox_id: '' });
    await expect.element(screen.getByText('1 matching events')).toBeVisible();

    await screen.getByRole('combobox', { name: 'Account' }).selectOptions('All accounts');
    await screen.getByRole('combobox', { name: 'Event type' }).selectOptions('All events');
    await screen.getByRole('combobox', { name: 'Inbox id' }).fill('inb_a');
    await expect.poll(() => queries(fake.argsOf('history')).at(-1)).toMatchObject({ account: '', event_type: '', inbox_id: 'inb_a' });
    await expect.element(screen.getByText('1 matching events')).toBeVisible();
    await expect.element(screen.getByRole('listbox').getByRole('option')).toMatchTextContent(/Message 1.*inb_a/);
  });

  it('moves from the search box to the list with ArrowDown, and opens the active row with Enter', async () => {
    const fake = fakeData(historyOf(mailbox(5)));
    const screen = await renderView(<HistoryView data={fake.data} accounts={['work']} endpoint={ENDPOINT} showSeq={null} />);
    const list = screen.getByRole('listbox', { name: 'Mail history' });
    await expect.element(list.getByText('Message 5', { exact: true })).toBeVisible();

    await screen.getByRole('searchbox', { name: 'Search mail' }).click();
    await userEvent.keyboard('{ArrowDown}');
    await expect.element(list).toHaveFocus();
    await userEvent.keyboard('{ArrowDown}{ArrowDown}{Enter}');
    await expect.element(screen.getByRole('heading', { name: 'Message 4' })).toBeVisible();
  });

  it('opens the event a notification points at, fetching it when the list does not hold it', async () => {
    const store = [mail(1), mail(2)];
    const fake = fakeData({ history: historyOf(store).history, event: async (seq) => (seq === 77 ? mail(77, { subject: 'Filtered away' }) : null) });
    const screen = await renderView(<HistoryView data={fake.data} accounts={['work']} endpoint={ENDPOINT} showSeq={77} />);
    await expect.element(screen.getByRole('heading', { name: 'Filtered away' })).toBeVisible();
    expect(fake.argsOf('event')).toEqual([[77]]);
  });

  it('puts newly committed mail on top without a reload', async () => {
    const store = mailbox(3);
    const fake = fakeData(historyOf(store));
    const screen = await renderView(<HistoryView data={fake.data} accounts={['work']} endpoint={ENDPOINT} showSeq={null} />);
    const list = screen.getByRole('listbox', { name: 'Mail history' });
    await expect.element(screen.getByText('3 events', { exact: true })).toBeVisible();

    const arrived = mail(4, { subject: 'Just arrived' });
    store.push(arrived);
    fake.emitEvents([{ ...arrived.event, seq: arrived.seq }]);
    await expect.element(list.getByRole('option').first()).toMatchTextContent(/Just arrived/);
    await expect.element(screen.getByText('4 events', { exact: true })).toBeVisible();
  });

  it('shows how agents connect while there is no mail yet, and sends a test event on request', async () => {
    const fake = fakeData({ ...historyOf([]), testEvent: async () => ({ ...mail(1).event, seq: 1 }) });
    const screen = await renderView(<HistoryView data={fake.data} accounts={[]} endpoint={ENDPOINT} showSeq={null} />);
    await expect.element(screen.getByRole('heading', { name: 'No mail yet' })).toBeVisible();
    await screen.getByRole('button', { name: 'Send a test event' }).click();
    expect(fake.argsOf('testEvent')).toEqual([[]]);
  });
});
