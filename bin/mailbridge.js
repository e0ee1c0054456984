#!/usr/bin/env node
// The `mailbridge` command. The engine is TypeScript run by Node's built-in type stripping (Node >= 22.18).
import os from 'node:os';
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  // Started by an older Node (an agent tool running `node .../bin/mailbridge.js mcp`, a linked global command):
  // the checkout's pinned Node runs it instead, with the same arguments and stdio.
  const { spawn } = await import('node:child_process');
  const { existsSync } = await import('node:fs');
  const { fileURLToPath } = await import('node:url');
  const pinned = fileURLToPath(new URL(`../node_modules/node/bin/node${process.platform === 'win32' ? '.exe' : ''}`, import.meta.url));
  if (!existsSync(pinned)) {
    process.stderr.write(`mailbridge needs Node 22.18 or newer (this is ${process.version}); run it through npm (\`npx mailbridge\`), which uses the project's pinned Node.\n`);
    process.exit(1);
  }
  const child = spawn(pinned, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal === null ? 1 : 128 + (os.constants.signals[signal] ?? 0))));
  await new Promise(() => {});
}
const argv = process.argv.slice(2);
const { parseCli } = await import('../daemon/cli-args.ts');
// `run` prints a dashboard link: in a source checkout, make sure the window it opens is built (bad flags are
// left for main to report).
const command = (() => {
  try {
    return parseCli(argv).command;
  } catch {
    return null;
  }
})();
if (command === 'run') (await import('./bundles.js')).ensureWindowBuilt();
const { main } = await import('../daemon/cli.ts');
process.exitCode = await main(argv);
