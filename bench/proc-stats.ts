// Memory and CPU of a process as the kernel counts them (Linux /proc), so the figures cover SQLite's native
// allocations and every thread, not just the V8 heap.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

let clockTicks: number | null = null;

/** Resident set size in bytes. */
export function rssBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

/** User plus system CPU time consumed so far, in milliseconds. */
export function cpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may contain spaces and parentheses: fields are counted after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name and state.
  const ticks = Number(fields[11]) + Number(fields[12]);
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return (ticks * 1000) / clockTicks;
}

export interface CpuWindow {
  /** CPU time used over the window as a share of one core, in percent. */
  percentOfCore: number;
  cpuMs: number;
  wallMs: number;
}

/** Samples the process's CPU use over `ms` of wall time. */
export async function cpuOver(pid: number, ms: number): Promise<CpuWindow> {
  const cpu0 = cpuMs(pid);
  const t0 = performance.now();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const used = cpuMs(pid) - cpu0;
  const wall = performance.now() - t0;
  return { percentOfCore: (used / wall) * 100, cpuMs: used, wallMs: wall };
}

export function assertProcAvailable(): void {
  if (!fs.existsSync('/proc/self/stat')) throw new Error('the process figures need Linux /proc');
}
