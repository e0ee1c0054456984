// The window: a title bar with the three sections as tabs, and the current section below it.
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { isUnauthorized } from './data/api-error.ts';
import type { DataLayer } from './data/data-layer.ts';
import { useStatus } from './hooks/useStatus.ts';
import { ConnectionSummary } from './components/ConnectionSummary.tsx';
import { HistoryView } from './components/HistoryView.tsx';
import { LockedScreen } from './components/LockedScreen.tsx';
import { Logo } from './components/Logo.tsx';
import { SettingsView } from './components/SettingsView.tsx';
import { StatusView } from './components/StatusView.tsx';
import { panelId, tabId, Tabs, type TabSpec } from './components/Tabs.tsx';

type Section = 'status' | 'history' | 'settings';

const SECTIONS: readonly TabSpec<Section>[] = [
  { id: 'status', label: 'Status' },
  { id: 'history', label: 'History' },
  { id: 'settings', label: 'Settings' },
];

export function App({ data }: { data: DataLayer }): ReactNode {
  const [section, setSection] = useState<Section>('status');
  const [showSeq, setShowSeq] = useState<number | null>(null);
  const { status, problem } = useStatus(data);
  const accounts = useMemo(() => status?.accounts.map((account) => account.account) ?? [], [status]);

  useEffect(
    () =>
      data.live.onShowEvent((seq) => {
        setSection('history');
        setShowSeq(seq);
      }),
    [data],
  );

  if (problem !== null && isUnauthorized(problem)) return <LockedScreen reason={problem.message} />;

  // Sections stay mounted while hidden, so history keeps its pages and scroll, and forms their drafts.
  const panel = (id: Section, content: ReactNode): ReactNode => (
    <section id={panelId(id)} role="tabpanel" aria-labelledby={tabId(id)} className="tabpanel" hidden={section !== id}>
      {content}
    </section>
  );
  return (
    <div className="app">
      <header className="titlebar">
        <div className="brand">
          <Logo />
          <span>Mailbridge</span>
        </div>
        <Tabs<Section> tabs={SECTIONS} current={section} onSelect={setSection} />
        <div className="titlebar-end">
          <ConnectionSummary status={status} problem={problem} />
        </div>
      </header>
      {problem !== null && (
        <div className="banner" role="alert">
          {problem.message} Retrying…
        </div>
      )}
      <main className="main">
        {panel('status', <StatusView data={data} status={status} />)}
        {panel('history', <HistoryView data={data} accounts={accounts} endpoint={status?.endpoint ?? null} showSeq={showSeq} />)}
        {panel('settings', <SettingsView data={data} live={status?.accounts ?? []} />)}
      </main>
    </div>
  );
}
