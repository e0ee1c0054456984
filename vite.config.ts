// The window's build: one static bundle that the tray app loads from disk and the local endpoint serves at `/`.
// Relative asset URLs (`base: './'`) work under both file:// and http://.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { META_CONTENT_SECURITY_POLICY } from './shared/csp.ts';

/** The policy travels inside the built page too, for loads that carry no headers (file:// in some Electron versions). */
function contentSecurityPolicyMeta(): Plugin {
  return {
    name: 'mailbridge-csp-meta',
    apply: 'build',
    transformIndexHtml: () => [
      { tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: META_CONTENT_SECURITY_POLICY }, injectTo: 'head-prepend' },
    ],
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('./renderer', import.meta.url)),
  base: './',
  plugins: [react(), contentSecurityPolicyMeta()],
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    emptyOutDir: true,
    // Scripts and styles stay in files: the page's CSP allows nothing inline.
    assetsInlineLimit: 0,
  },
});
