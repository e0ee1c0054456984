// `npm run chaos -- [--faults N] [--seed S] [--rate EVENTS_PER_S] [--interval-ms MS] [--drain-seconds S]
// [--flavour openmail|agentmail|myagentmail]... [--nats]`: for each provider flavour (all three unless named), seeded
// random faults while mail flows, then every mail the provider received is looked for at every agent (with --nats,
// also at a durable consumer of the JetStream stream the engine publishes into, on a nats-server started for the
// run), and the stored mail's files are fetched from their local_url. The last lines are always one per flavour:
// `<flavour> faults: N, events: M, lost: L, duplicated: D, attachments: W of C whole`; the exit code is non-zero
// unless every flavour has lost and duplicated at 0 and every file checked whole.
import { parseArgs } from 'node:util';
import { PROVIDERS, type ProviderName } from '../shared/status.ts';
import { DEFAULT_CHAOS, runChaos, type ChaosOptions, type ChaosResult } from './chaos/run-chaos.ts';

function number(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${flag} takes a positive number, not '${raw}'`);
  return value;
}

function flavours(raw: string[] | undefined): ProviderName[] {
  if (raw === undefined || raw.length === 0) return [...PROVIDERS];
  for (const name of raw) {
    if (!(PROVIDERS as readonly string[]).includes(name)) throw new Error(`--flavour takes one of ${PROVIDERS.join(', ')}, not '${name}'`);
  }
  return raw as ProviderName[];
}

function report(result: ChaosResult): string {
  const lines = [
    `chaos (${result.flavour}): ${result.seconds.toFixed(0)} s, daemon started ${result.daemonStarts} times, crashed on its own ${result.daemonCrashes} times`,
  ];
  lines.push(`faults injected: ${Object.entries(result.byFault).map(([name, n]) => `${name} ${n}`).join(', ')}`);
  for (const c of result.consumers) {
    const extra = [c.redelivered > 0 ? `${c.redelivered} unacked redelivered` : '', c.lostSample.length > 0 ? `lost e.g. ${c.lostSample.join(' ')}` : '']
      .filter(Boolean)
      .join('; ');
    lines.push(`  ${c.name.padEnd(40)} received ${c.received}, lost ${c.lost}, duplicated ${c.duplicated}${extra ? ` (${extra})` : ''}`);
  }
  lines.push(
    `webhook: ${result.webhook.refusedWhileFailing} deliveries answered 500 on purpose, ${result.webhook.repeats} at-least-once repeats (handled once each), ${result.webhook.badSignatures} bad signatures`,
  );
  const files = result.attachments;
  lines.push(`attachments: ${files.files} files of stored mail, ${files.checked} fetched from local_url, ${files.whole} whole`);
  for (const problem of files.problems) lines.push(`  not whole: ${problem}`);
  if (result.wsErrors.length > 0) lines.push(`local WebSocket errors: ${result.wsErrors.slice(0, 5).join('; ')}`);
  if (result.workDir) lines.push(`data and daemon log kept in ${result.workDir}`);
  return lines.join('\n');
}

function summary(result: ChaosResult): string {
  const { whole, checked } = result.attachments;
  return `${result.flavour.padEnd(12)} faults: ${result.faults}, events: ${result.events}, lost: ${result.lost}, duplicated: ${result.duplicated}, attachments: ${whole} of ${checked} whole`;
}

async function main(): Promise<number> {
  let options: Omit<ChaosOptions, 'flavour'>;
  let names: ProviderName[];
  try {
    const { values } = parseArgs({
      args: process.argv.slice(2),
      options: {
        faults: { type: 'string' },
        seed: { type: 'string' },
        rate: { type: 'string' },
        'interval-ms': { type: 'string' },
        'drain-seconds': { type: 'string' },
        nats: { type: 'boolean' },
        flavour: { type: 'string', multiple: true },
      },
      strict: true,
    });
    names = flavours(values.flavour);
    options = {
      faults: Math.round(number('--faults', values.faults, DEFAULT_CHAOS.faults)),
      seed: Math.round(number('--seed', values.seed, DEFAULT_CHAOS.seed)),
      eventsPerSecond: number('--rate', values.rate, DEFAULT_CHAOS.eventsPerSecond),
      meanFaultIntervalMs: number('--interval-ms', values['interval-ms'], DEFAULT_CHAOS.meanFaultIntervalMs),
      drainTimeoutMs: number('--drain-seconds', values['drain-seconds'], DEFAULT_CHAOS.drainTimeoutMs / 1000) * 1000,
      nats: values.nats ?? false,
      log: (line: string) => process.stderr.write(`chaos: ${line}\n`),
    };
  } catch (error) {
    process.stderr.write(`chaos: ${(error as Error).message}\n`);
    return 2;
  }
  const results: ChaosResult[] = [];
  for (const flavour of names) {
    const result = await runChaos({ ...options, flavour });
    process.stdout.write(`${report(result)}\n\n`);
    results.push(result);
  }
  for (const result of results) process.stdout.write(`${summary(result)}\n`);
  const clean = results.every(
    (result) =>
      result.lost === 0 &&
      result.duplicated === 0 &&
      result.attachments.whole === result.attachments.checked &&
      result.webhook.badSignatures === 0 &&
      result.daemonCrashes === 0,
  );
  return clean ? 0 : 1;
}

process.exitCode = await main();
