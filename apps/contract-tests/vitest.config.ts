import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each file starts Prism processes (a few seconds of CPU each); on a 2-core machine two files
    // at once make both slow, so files run one after another.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Prism's exit must be awaited in afterAll; never leave a worker behind holding one.
    teardownTimeout: 30_000,
  },
});
