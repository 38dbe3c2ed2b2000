import { defineConfig } from 'vitest/config';

// Tests sit beside their code (src/**) plus cross-cutting suites in test/**.
// Forks keep native modules (better-sqlite3, grpc) isolated per file.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    reporters: ['default', './test/support/plain-summary-reporter.ts'],
  },
});
