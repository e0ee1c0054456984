import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // Real sockets and real SQLite: give each file its own process and keep the default timeouts honest.
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    fileParallelism: true,
  },
});
