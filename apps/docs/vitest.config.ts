import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real Chromium walks every rendered API page; that takes seconds, not milliseconds.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // One worker for both files instead of a worker each (about 0.3 s of CPU): neither changes a
    // global or a module's state, so they need no isolation from each other.
    isolate: false,
  },
});
