import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/pack.global.ts'],
    // npm install and a server in a child process: seconds, not milliseconds. Each step inside a
    // test has its own, shorter limit.
    testTimeout: 90_000,
    hookTimeout: 90_000,
  },
});
