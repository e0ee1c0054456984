// The window's build: one static bundle that the tray app loads from disk and the local endpoint serves at `/`.
// Relative asset URLs (`base: './'`) work under both file:// and http://.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('./renderer', import.meta.url)),
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    emptyOutDir: true,
    // Scripts and styles stay in files: the page's CSP allows nothing inline.
    assetsInlineLimit: 0,
  },
});
