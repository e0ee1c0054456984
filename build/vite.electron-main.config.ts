// Bundles the tray app's main process (electron/main.ts with the engine it composes) into one ESM file,
// dist/electron/main.js. Packages stay external: the native ones (better-sqlite3, @napi-rs/keyring) must load
// their .node binaries from node_modules, and 'electron' exists only inside the Electron runtime.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { inlinePackageJson } from './inline-package-json.ts';

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  publicDir: false,
  plugins: [inlinePackageJson()],
  build: {
    // An SSR build targets Node: builtins resolve, and every package in node_modules is left external.
    ssr: 'electron/main.ts',
    outDir: 'dist/electron',
    // The preload build writes into the same folder afterwards.
    emptyOutDir: true,
    target: 'node22',
    sourcemap: true,
    minify: false,
    rolldownOptions: {
      output: { format: 'es', entryFileNames: 'main.js' },
    },
  },
});
