import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The runner's tests wait on real time (clients polling jobs on the mock's clock, runners
    // stopped by signals) far more than they use CPU, each in its own files and processes: they
    // run side by side, so the two long suite runs overlap each other and the short tests. Three
    // at a time, not all: each starts a Node process (a CPU burst), and on a loaded machine a burst
    // beside a running suite delays its clients' timers towards their hard limits.
    sequence: { concurrent: true },
    maxConcurrency: 3,
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
