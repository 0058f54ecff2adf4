import { defineConfig } from 'vitest/config';

// Each test file runs in its own process: chDB allows one data directory per process.
export default defineConfig({
  test: {
    include: [
      'schema/src/**/*.test.ts',
      'ingest/src/**/*.test.ts',
      'server/src/**/*.test.ts',
      'simulator/src/**/*.test.ts',
      'app/src/**/*.test.ts',
      'web/src/**/*.test.ts',
      'e2e/**/*.test.ts',
    ],
    // One temporary directory for the run, removed at its end (chDB data of every test process included).
    globalSetup: ['./scripts/testTmpDir.ts'],
    pool: 'forks',
    isolate: true,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    maxWorkers: 2,
    reporters: ['default', './scripts/summaryReporter.ts'],
  },
});
