// A small real file system for full-disk tests: a tmpfs of a few KiB or MiB, mounted over a directory. Mounting
// needs root on Linux (as on CI); elsewhere the tests that need it are skipped and say why.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

export const canMountTmpfs: boolean = process.platform === 'linux' && process.getuid?.() === 0;

export const SKIPPED_WITHOUT_ROOT = '(skipped: mounting a tmpfs needs root on Linux)';

export function mountTmpfs(dir: string, bytes: number): void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0700`, 'tmpfs', dir]);
}

export function unmountTmpfs(dir: string): void {
  execFileSync('umount', ['--lazy', dir]);
}

/** Writes zeros until the file system refuses: a disk with no byte left. */
export function fillDisk(file: string): void {
  const fd = fs.openSync(file, 'w');
  const chunk = Buffer.alloc(4 * 1024);
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    fs.closeSync(fd);
  }
}
