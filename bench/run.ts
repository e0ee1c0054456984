// `npm run bench`: every scenario in one run, on this machine, then one table and bench/results.json.
// Daemons run as child processes (bench/daemon-child.ts); everything listens on 127.0.0.1 and is torn down.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBenchArgs, USAGE, type BenchOptions } from './bench-options.ts';
import { previousRun, renderTable, writeResults, type ScenarioReport } from './report.ts';
import { makeTempDir, type BenchContext, type Scenario } from './scenario.ts';
import { footprint } from './scenarios/footprint.ts';
import { halfOpen } from './scenarios/half-open.ts';
import { history } from './scenarios/history.ts';
import { relayOverhead } from './scenarios/relay-overhead.ts';
import { scale } from './scenarios/scale.ts';
import { throughput } from './scenarios/throughput.ts';
import { wakeToLive } from './scenarios/wake-to-live.ts';
import { natsPublish } from './scenarios/nats-publish.ts';

const SCENARIOS: readonly Scenario[] = [relayOverhead, throughput, wakeToLive, halfOpen, scale, footprint, history, natsPublish];
// Far above the default run's length: only a hang trips it.
const WATCHDOG_MS = 20 * 60 * 1000;

async function main(): Promise<number> {
  const benchDir = path.dirname(fileURLToPath(import.meta.url));
  let options: BenchOptions;
  try {
    options = parseBenchArgs(process.argv.slice(2), benchDir);
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { settings } = options;
  const chosen = SCENARIOS.filter((s) => options.only === null || options.only.includes(s.id));
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-bench-'));
  if (settings.profileDir) fs.mkdirSync(settings.profileDir, { recursive: true });
  const ctx: BenchContext = {
    settings,
    tempDir: (name) => makeTempDir(root, name),
    log: (line) => process.stderr.write(`  ${line}\n`),
    childNodeArgs: (name) => (settings.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${settings.profileDir}`, `--cpu-prof-name=${name}.cpuprofile`] : []),
  };
  const watchdog = setTimeout(() => {
    process.stderr.write(`bench: still running after ${WATCHDOG_MS / 60_000} minutes; giving up\n`);
    process.exit(1);
  }, WATCHDOG_MS);
  watchdog.unref();

  const startedAt = new Date();
  const reports: ScenarioReport[] = [];
  process.stderr.write(`Mailbridge bench${settings.quick ? ' (quick)' : ''}: ${chosen.map((s) => s.id).join(', ')}\n`);
  try {
    for (const scenario of chosen) {
      process.stderr.write(`${scenario.id}. ${scenario.title}...\n`);
      const t0 = performance.now();
      try {
        const result = await scenario.run(ctx);
        reports.push({ id: scenario.id, title: scenario.title, seconds: (performance.now() - t0) / 1000, ...result });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        process.stderr.write(`  failed: ${message}\n`);
        reports.push({ id: scenario.id, title: scenario.title, seconds: (performance.now() - t0) / 1000, rows: [], data: {}, findings: [], error: message });
      }
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  // Always against the committed bench/results.json, wherever this run writes its own.
  process.stdout.write(`\n${renderTable(reports, previousRun(path.join(benchDir, 'results.json')))}\n`);
  const findings = reports.flatMap((r) => r.findings.map((f) => `${r.id}. ${f}`));
  if (findings.length > 0) process.stdout.write(`\nFindings:\n${findings.map((f) => `- ${f}`).join('\n')}\n`);
  writeResults(options.resultsFile, settings, reports, startedAt);
  process.stdout.write(`\nResults written to ${path.relative(process.cwd(), options.resultsFile) || options.resultsFile}\n`);
  return reports.some((r) => r.error) ? 1 : 0;
}

process.exitCode = await main();
