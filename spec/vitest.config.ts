import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A case that parses and walks all five specs takes about a second alone and over five under a
    // loaded CI machine's load average of 40: vitest's 5 s default is not what these tests assert.
    testTimeout: 30_000,
    // The seven files share one worker and its module cache (yaml, ajv, the repository's scripts):
    // a fresh worker per file cost more than all of their tests (6.2 -> 3.5 s of CPU). None of
    // them changes a global, process.env or a mocked module; each keeps its state in its own
    // module (re-evaluated per file) and its scratch folders under its own mkdtemp.
    isolate: false,
  },
});
