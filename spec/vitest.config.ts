import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A case that parses and walks all five specs takes about a second alone and over five under a
    // loaded CI machine's load average of 40: vitest's 5 s default is not what these tests assert.
    testTimeout: 30_000,
  },
});
