// Bundles electron/preload.ts into dist/electron/preload.cjs. A sandboxed preload can require only 'electron'
// and a few builtins, not other files, so everything it imports (the IPC channel lists) is inlined into one
// CommonJS file.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  publicDir: false,
  build: {
    ssr: 'electron/preload.ts',
    outDir: 'dist/electron',
    emptyOutDir: false,
    // The preload runs in the renderer (Chromium of Electron 45), not in Node.
    target: 'chrome140',
    sourcemap: true,
    minify: false,
    rolldownOptions: {
      external: ['electron'],
      output: { format: 'cjs', entryFileNames: 'preload.cjs', codeSplitting: false },
    },
  },
});
