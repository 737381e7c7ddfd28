import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each case drives a whole generation through a real mock server on 127.0.0.1 (mock start-up,
    // create, polls, download): seconds on a loaded 2-core CI machine, past vitest's 5 s default.
    // The cases' own deadlines (abort, timeouts) are asserted inside and are unaffected.
    testTimeout: 30_000,
  },
});
