// g. History. The real EventStore fills a temp SQLite file with realistic mail in batches, then the window's
// queries run against it: full-text search (common, rare, two-word, prefix, no match), the newest page, a
// filter, and a page deep in the past. Disk use is read after a WAL checkpoint, at 100,000 events and at the end.
// Each batch is indexed for search after its commit, in the engine's indexer batches, and timed on its own.
import fs from 'node:fs';
import path from 'node:path';
import { SampleGenerator } from '../../daemon/demo/samples.ts';
import { openDatabase } from '../../daemon/store/db.ts';
import { EventStore, type HistoryOptions } from '../../daemon/store/events.ts';
import { DEFAULT_SEARCH_INDEXER } from '../../daemon/store/search-indexer.ts';
import { summarize, type Summary } from '../percentiles.ts';
import { mb, ms, row, type Row, type Scenario } from '../scenario.ts';

const BATCH = 5_000;
const PAGE = 50;
const SIZE_MARK = 100_000;

interface QueryCase {
  label: string;
  options: (newest: number) => Omit<HistoryOptions, 'limit'>;
}

const QUERIES: readonly QueryCase[] = [
  { label: 'newest page, no search', options: () => ({}) },
  { label: 'search a common word ("invoice")', options: () => ({ q: 'invoice' }) },
  { label: 'search a rarer name ("Lindqvist")', options: () => ({ q: 'Lindqvist' }) },
  { label: 'search two words ("verification code")', options: () => ({ q: 'verification code' }) },
  { label: 'search as you type ("ship")', options: () => ({ q: 'ship' }) },
  { label: 'search with no match ("zyxwvut")', options: () => ({ q: 'zyxwvut' }) },
  { label: 'one inbox, newest page', options: () => ({ inboxId: 'inb_5e0d9c47' }) },
  { label: 'search, page from the middle', options: (newest) => ({ q: 'invoice', before: Math.floor(newest / 2) }) },
];

export const history: Scenario = {
  id: 'g',
  title: 'history',
  async run(ctx) {
    const total = ctx.settings.historyEvents;
    const runs = ctx.settings.quick ? 10 : 30;
    const dir = ctx.tempDir('g');
    const file = path.join(dir, 'events.db');
    const db = openDatabase(file);
    try {
      const store = new EventStore(db);
      const samples = new SampleGenerator({ seed: 1_000_000 });
      let payloadBytes = 0;
      let bytesAtMark: number | null = null;
      let commitMs = 0;
      let indexMs = 0;
      for (let stored = 0; stored < total; ) {
        const batch = Array.from({ length: Math.min(BATCH, total - stored) }, () => samples.next());
        for (const event of batch) payloadBytes += Buffer.byteLength(JSON.stringify(event));
        const t = performance.now();
        store.commit('bench', batch, batch.at(-1)!.event_id);
        commitMs += performance.now() - t;
        const ti = performance.now();
        while (store.indexPending(DEFAULT_SEARCH_INDEXER.batch) > 0);
        indexMs += performance.now() - ti;
        stored += batch.length;
        if (stored === SIZE_MARK) bytesAtMark = onDisk(db, file);
        if (stored % 200_000 === 0) ctx.log(`g. ${stored} events stored`);
        // A breath between batches, so this long loop never starves anything else in the process.
        await new Promise((resolve) => setImmediate(resolve));
      }
      const bytes = onDisk(db, file);
      const newest = store.latestSeq();
      const results: { label: string; latency: Summary; hits: number }[] = [];
      for (const query of QUERIES) {
        const options = { ...query.options(newest), limit: PAGE };
        const times: number[] = [];
        let hits = 0;
        for (let i = 0; i < runs; i++) {
          const t = performance.now();
          hits = store.history(options).length;
          times.push(performance.now() - t);
        }
        results.push({ label: query.label, latency: summarize(times), hits });
      }
      const rows: Row[] = [
        row(
          'stored',
          `${total} events (${(total / (commitMs / 1000)).toFixed(0)} events/s in batches of ${BATCH}, then indexed for search at ` +
            `${(total / (indexMs / 1000)).toFixed(0)} events/s), avg payload ${(payloadBytes / total).toFixed(0)} B`,
        ),
        row('on disk per 100,000 events', `${mb((bytes / total) * 100_000)}${bytesAtMark === null ? '' : ` (at 100,000: ${mb(bytesAtMark)})`}; total ${mb(bytes)}`),
      ];
      for (const r of results) rows.push(row(`${r.label}: p50 / p99 / max (${r.hits} rows)`, `${ms(r.latency.p50)} / ${ms(r.latency.p99)} / ${ms(r.latency.max)}`));
      const worst = Math.max(...results.map((r) => r.latency.p99));
      ctx.log(`g. ${total} events, ${mb(bytes)}, worst query p99 ${ms(worst)}`);
      return {
        rows,
        data: { events: total, batch: BATCH, commitEventsPerSecond: total / (commitMs / 1000), indexEventsPerSecond: total / (indexMs / 1000), payloadBytes, bytesOnDisk: bytes, bytesAt100k: bytesAtMark, bytesPer100k: (bytes / total) * 100_000, pageSize: PAGE, runs, queries: results },
        findings: [],
      };
    } finally {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};

/** Main file plus WAL after a truncating checkpoint: what the store really occupies. */
function onDisk(db: ReturnType<typeof openDatabase>, file: string): number {
  db.pragma('wal_checkpoint(TRUNCATE)');
  return [file, `${file}-wal`].reduce((sum, f) => sum + (fs.existsSync(f) ? fs.statSync(f).size : 0), 0);
}
