import react from '@vitejs/plugin-react';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';

const BROWSER_TESTS = 'test/renderer/components/**/*.test.tsx';

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 20_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
          exclude: [BROWSER_TESTS],
          // Real sockets and real SQLite: give each file its own process and keep the default timeouts honest.
          pool: 'forks',
          fileParallelism: true,
        },
      },
      {
        extends: true,
        plugins: [react()],
        // Pre-bundled up front: a dependency found mid-run makes Vite reload the page under a running test.
        optimizeDeps: {
          include: ['react', 'react/jsx-dev-runtime', 'react-dom', 'react-dom/client', 'react-dom/server', '@tanstack/react-virtual'],
          exclude: ['vitest-browser-react'],
        },
        test: {
          name: 'chromium',
          include: [BROWSER_TESTS],
          // expect.element retries until this long: enough for a loaded machine, short enough to fail fast.
          expect: { poll: { timeout: 5_000 } },
          // The window's components in the browser they ship in (Debian's Chromium, as the end-to-end test uses):
          // real layout, focus, scrolling and events.
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({
              launchOptions: {
                executablePath: '/usr/bin/chromium',
                args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
              },
            }),
            instances: [{ browser: 'chromium' }],
            viewport: { width: 1200, height: 800 },
          },
        },
      },
    ],
  },
});
