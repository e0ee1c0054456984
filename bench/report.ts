// The bench's output: one table on the terminal, each figure beside its goal and beside what the last committed
// bench/results.json said, and bench/results.json with the machine it ran on.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchSettings, Row, ScenarioResult } from './scenario.ts';

export interface ScenarioReport extends ScenarioResult {
  id: string;
  title: string;
  seconds: number;
  error?: string;
}

export function machine(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryBytes: os.totalmem(),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

/** The figures of an earlier run, by scenario id and metric. */
export interface PreviousRun {
  date: string;
  quick: boolean;
  cpu: string;
  values: Map<string, string>;
}

/** The last committed results (git's copy of `file`), or the file as it is where git has none; null without either. */
export function previousRun(file: string): PreviousRun | null {
  let text: string | null = null;
  try {
    text = execFileSync('git', ['show', `HEAD:./${path.basename(file)}`], { cwd: path.dirname(file), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
  }
  if (text === null) return null;
  try {
    const body = JSON.parse(text) as { date: string; machine?: { cpu?: string }; settings?: { quick?: boolean }; scenarios: ScenarioReport[] };
    const values = new Map<string, string>();
    for (const scenario of body.scenarios) for (const r of scenario.rows) values.set(rowKey(scenario.id, r.metric), r.value);
    return { date: body.date, quick: body.settings?.quick ?? false, cpu: body.machine?.cpu ?? 'unknown', values };
  } catch {
    return null;
  }
}

export function renderTable(reports: readonly ScenarioReport[], previous: PreviousRun | null = null): string {
  const lines: string[][] = [['scenario / metric', 'value', 'goal', '', previous === null ? '' : 'since the last committed run']];
  for (const report of reports) {
    lines.push([`${report.id}. ${report.title} (${report.seconds.toFixed(0)} s)`, '', '', '', '']);
    if (report.error) lines.push([`  failed: ${report.error}`, '', '', 'FAIL', '']);
    for (const r of report.rows) {
      lines.push([`  ${r.metric}`, r.value, r.goal, verdict(r), change(r.value, previous?.values.get(rowKey(report.id, r.metric)))]);
    }
  }
  const widths = [0, 1, 2, 3].map((i) => Math.max(...lines.map((line) => line[i]!.length)));
  const out = lines.map((line) => line.map((cell, i) => (i < 4 ? cell.padEnd(widths[i]!) : cell)).join('  ').trimEnd());
  out.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  if (previous !== null) {
    const kind = previous.quick ? 'a quick run' : 'a full run';
    out.unshift(`Compared with bench/results.json as last committed: ${kind} of ${previous.date} on ${previous.cpu}.\n`);
  }
  return out.join('\n');
}

function rowKey(scenario: string, metric: string): string {
  return `${scenario}|${metric.trim()}`;
}

const FIGURE = /[-+]?\d[\d,]*(?:\.\d+)?/;

/** How a figure moved: the first number of each value, as a percentage, with what it was. */
export function change(value: string, before: string | undefined): string {
  if (before === undefined) return '';
  if (before === value) return 'unchanged';
  const now = FIGURE.exec(value)?.[0];
  const then = FIGURE.exec(before)?.[0];
  if (now === undefined || then === undefined) return `was ${before}`;
  const [a, b] = [Number(now.replace(/,/g, '')), Number(then.replace(/,/g, ''))];
  if (b === 0 || !Number.isFinite(a) || !Number.isFinite(b)) return `was ${then}`;
  const percent = ((a - b) / Math.abs(b)) * 100;
  return `${percent >= 0 ? '+' : '−'}${Math.abs(percent).toFixed(0)} % (was ${then})`;
}

function verdict(r: Row): string {
  if (r.met === null) return '';
  return r.met ? 'met' : 'MISSED';
}

export function writeResults(file: string, settings: BenchSettings, reports: readonly ScenarioReport[], startedAt: Date): void {
  const body = {
    date: startedAt.toISOString(),
    machine: machine(),
    node: process.version,
    settings: { ...settings, profileDir: settings.profileDir === null ? null : 'set' },
    scenarios: reports,
  };
  fs.writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
}
