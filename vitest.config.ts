import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // After-hooks run in reverse order of registration (test/core/helpers.ts relies on it).
    sequence: { hooks: 'stack' },
    // 2 cores: two files at a time keeps the database and the workers from starving each other.
    maxWorkers: 2,
    // The type tests live outside src, so they are checked with the whole-repo config.
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.check.json' },
  },
});
