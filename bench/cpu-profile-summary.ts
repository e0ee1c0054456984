// Reads a V8 .cpuprofile (from `npm run bench -- --profile DIR`) and prints where the time went: self time and
// inclusive time per function, with file and line, so a missed goal can be traced to code.
//   npx node bench/cpu-profile-summary.ts DIR/a-webhook.cpuprofile [--top 25]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface FunctionTime {
  name: string;
  selfMs: number;
  totalMs: number;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function summarizeProfile(profile: CpuProfile): { wallMs: number; functions: FunctionTime[] } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  const functions = new Map<string, FunctionTime>();
  const entry = (node: ProfileNode): FunctionTime => {
    const key = label(node);
    let found = functions.get(key);
    if (!found) {
      found = { name: key, selfMs: 0, totalMs: 0 };
      functions.set(key, found);
    }
    return found;
  };
  for (const [id, ms] of self) {
    entry(byId.get(id)!).selfMs += ms;
    // Inclusive time: each function on the sample's stack once, however often it recurses.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const fn = entry(byId.get(at)!);
      if (seen.has(fn.name)) continue;
      seen.add(fn.name);
      fn.totalMs += ms;
    }
  }
  return { wallMs: (profile.endTime - profile.startTime) / 1000, functions: [...functions.values()] };
}

function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.startsWith('file://') ? path.relative(ROOT, fileURLToPath(url)) : url;
  return `${functionName || '(anonymous)'}${file ? ` ${file}:${lineNumber + 1}` : ''}`;
}

function main(argv: string[]): void {
  const file = argv.find((arg) => !arg.startsWith('--'));
  const topAt = argv.indexOf('--top');
  const top = topAt >= 0 ? Number(argv[topAt + 1]) : 25;
  if (!file) {
    process.stderr.write('usage: npx node bench/cpu-profile-summary.ts FILE.cpuprofile [--top N]\n');
    process.exitCode = 2;
    return;
  }
  const { wallMs, functions } = summarizeProfile(JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile);
  const busy = functions.filter((f) => !/^\((idle|program|garbage collector)\)/.test(f.name)).reduce((sum, f) => sum + f.selfMs, 0);
  process.stdout.write(`${path.basename(file)}: ${wallMs.toFixed(0)} ms profiled, ${busy.toFixed(0)} ms on the CPU in JavaScript and native calls\n`);
  const show = (title: string, key: 'selfMs' | 'totalMs'): void => {
    process.stdout.write(`\n${title}\n`);
    for (const f of [...functions].sort((a, b) => b[key] - a[key]).slice(0, top)) {
      process.stdout.write(`${f[key].toFixed(1).padStart(9)} ms  ${f.name}\n`);
    }
  };
  show('self time', 'selfMs');
  show('inclusive time', 'totalMs');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
