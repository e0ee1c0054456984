#!/usr/bin/env node
// The `mailbridge` command. The engine is TypeScript run by Node's built-in type stripping (Node >= 22.18).
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(`mailbridge needs Node 22.18 or newer (this is ${process.version}); run it through npm (\`npx mailbridge\`), which uses the project's pinned Node.\n`);
  process.exit(1);
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
