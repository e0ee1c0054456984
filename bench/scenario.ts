// What a bench scenario is given and what it hands back: display rows for the table, raw figures for
// results.json, and findings (what a missed goal came down to).
import fs from 'node:fs';
import path from 'node:path';

export interface BenchSettings {
  quick: boolean;
  /** c: how long the daemon stays suspended. */
  sleepSeconds: number;
  /** f: how long idle RSS and CPU are sampled. */
  idleSeconds: number;
  /** g: how many events the history holds. */
  historyEvents: number;
  /** b: the burst size. */
  burstEvents: number;
  /** Pass --cpu-prof to daemon children, into this directory. */
  profileDir: string | null;
}

export interface Row {
  metric: string;
  value: string;
  goal: string;
  /** null when the row has no goal. */
  met: boolean | null;
}

export interface ScenarioResult {
  rows: Row[];
  /** Raw figures, for results.json. */
  data: Record<string, unknown>;
  findings: string[];
}

export interface BenchContext {
  settings: BenchSettings;
  /** A fresh directory under the run's temp root. */
  tempDir(name: string): string;
  log(line: string): void;
  /** Node flags for daemon children (the CPU profiler when asked for). */
  childNodeArgs(name: string): string[];
}

export interface Scenario {
  id: string;
  title: string;
  run(ctx: BenchContext): Promise<ScenarioResult>;
}

export function makeTempDir(root: string, name: string): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

export function ms(value: number, digits = 2): string {
  return Number.isFinite(value) ? `${value.toFixed(digits)} ms` : 'n/a';
}

export function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function row(metric: string, value: string, goal = '', met: boolean | null = null): Row {
  return { metric, value, goal, met };
}
