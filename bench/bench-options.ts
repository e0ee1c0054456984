// `npm run bench` flags. The defaults are the honest figures (40 s asleep, 60 s idle, a million stored events);
// --quick shortens every wait for a smoke run, and each length can be set on its own.
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { BenchSettings } from './scenario.ts';

export interface BenchOptions {
  settings: BenchSettings;
  /** Scenario ids to run (a..h); all when null. */
  only: string[] | null;
  resultsFile: string;
}

export const USAGE = `npm run bench -- [--quick] [--only a,b,...] [--sleep-seconds N] [--idle-seconds N]
                    [--history-events N] [--burst-events N] [--profile DIR] [--results FILE]
  --profile DIR  writes a .cpuprofile per daemon child; read one with
                 npx node bench/cpu-profile-summary.ts DIR/<name>.cpuprofile`;

export function parseBenchArgs(argv: readonly string[], benchDir: string): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean' },
      only: { type: 'string' },
      'sleep-seconds': { type: 'string' },
      'idle-seconds': { type: 'string' },
      'history-events': { type: 'string' },
      'burst-events': { type: 'string' },
      profile: { type: 'string' },
      results: { type: 'string' },
    },
    strict: true,
  });
  const quick = values.quick ?? false;
  return {
    settings: {
      quick,
      sleepSeconds: count('--sleep-seconds', values['sleep-seconds'], quick ? 5 : 40, 1),
      idleSeconds: count('--idle-seconds', values['idle-seconds'], quick ? 10 : 60, 1),
      historyEvents: count('--history-events', values['history-events'], quick ? 100_000 : 1_000_000, 1_000),
      burstEvents: count('--burst-events', values['burst-events'], quick ? 10_000 : 50_000, 100),
      profileDir: values.profile === undefined ? null : path.resolve(values.profile),
    },
    only: values.only === undefined ? null : values.only.split(',').map((id) => id.trim().toLowerCase()).filter(Boolean),
    resultsFile: path.resolve(values.results ?? path.join(benchDir, 'results.json')),
  };
}

function count(flag: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) throw new Error(`${flag} takes a whole number >= ${min}, not '${raw}'`);
  return value;
}
