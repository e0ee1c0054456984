// `npm test` on a machine that lacks a Debian package the tests use: without root or sudo it stops with the one
// command that installs it. The missing package is simulated by a stand-in `dpkg-query` on PATH (this machine has
// them all); the user is real (`nobody`, through runuser, which needs root: CI and this machine run as root).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('./system-deps.sh', import.meta.url));
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mailbridge-deps-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function runAsNobody(missing: readonly string[]): Promise<{ code: number; stderr: string }> {
  const bin = path.join(root, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(
    path.join(bin, 'dpkg-query'),
    `#!/bin/sh\nfor p in ${missing.join(' ')}; do [ "$p" = "$3" ] && exit 1; done\nprintf 'install ok installed'\n`,
    { mode: 0o755 },
  );
  fs.chmodSync(root, 0o755);
  fs.copyFileSync(SCRIPT, path.join(root, 'system-deps.sh'));
  return new Promise((resolve) => {
    execFile(
      'runuser',
      ['-u', 'nobody', '--', 'env', `PATH=${bin}:/usr/bin:/bin`, 'bash', path.join(root, 'system-deps.sh')],
      { timeout: 10_000 },
      (error, _stdout, stderr) => resolve({ code: typeof error?.code === 'number' ? error.code : 0, stderr }),
    );
  });
}

describe.skipIf(process.getuid?.() !== 0)('the system packages npm test needs', () => {
  it('stops a user who cannot install with the exact command that installs what is missing', async () => {
    const { code, stderr } = await runAsNobody(['jq', 'chromium']);
    expect(code).toBe(1);
    expect(stderr).toContain('chromium: the browser the dashboard tests drive');
    expect(stderr).toContain('sudo apt-get install -y --no-install-recommends chromium jq');
  });

  it('passes quietly when everything is installed', async () => {
    expect(await runAsNobody([])).toEqual({ code: 0, stderr: '' });
  });
});
