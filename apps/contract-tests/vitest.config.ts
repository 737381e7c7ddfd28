import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each file starts Prism processes (a few seconds of CPU each); on a 2-core machine two files
    // at once make both slow, so files run one after another.
    fileParallelism: false,
    // Both files import the mock server (its API list, and in the proxy run the server itself) and
    // the five clients: one worker and one module graph for both, about 1 s of CPU less than a
    // worker each. Neither file changes a global or a module's state (each starts its own Prisms
    // and, in the proxy run, its own mock server), so the order they run in does not matter.
    isolate: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Prism's exit must be awaited in afterAll; never leave a worker behind holding one.
    teardownTimeout: 30_000,
  },
});
