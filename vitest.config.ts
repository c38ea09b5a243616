import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'tests/**/*.test.tsx'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Real servers and SQLite files per test file; two cores, so keep parallelism modest.
    fileParallelism: true,
    maxWorkers: 2,
    reporters: ['default'],
  },
});
