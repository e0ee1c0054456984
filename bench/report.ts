// The bench's output: one table on the terminal, and bench/results.json with the machine it ran on.
import fs from 'node:fs';
import os from 'node:os';
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

export function renderTable(reports: readonly ScenarioReport[]): string {
  const lines: [string, string, string, string][] = [['scenario / metric', 'value', 'goal', '']];
  for (const report of reports) {
    lines.push([`${report.id}. ${report.title} (${report.seconds.toFixed(0)} s)`, '', '', '']);
    if (report.error) lines.push([`  failed: ${report.error}`, '', '', 'FAIL']);
    for (const r of report.rows) lines.push([`  ${r.metric}`, r.value, r.goal, verdict(r)]);
  }
  const widths = [0, 1, 2].map((i) => Math.max(...lines.map((line) => line[i]!.length)));
  const out = lines.map((line) => line.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell)).join('  ').trimEnd());
  out.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  return out.join('\n');
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
