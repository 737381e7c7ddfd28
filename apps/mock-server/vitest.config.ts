import { availableParallelism } from 'node:os';

import { configDefaults, defineConfig } from 'vitest/config';

/**
 * The files that take a quarter of this suite's time (placeholder images at every size and
 * format, ~35 s; the soaks, ~45 s), and the one that asserts absolute latency (a small GET's p99
 * under 50 ms while a 24 MB body is refused), which the shared 2-core development machine cannot
 * promise under everyone's load. CI runs them: `.ci/run` sets
 * IMAGEGEN_SLOW_TESTS=1, and any CI that sets `CI` gets them too. A developer's `pnpm test` leaves
 * them out and says so; `IMAGEGEN_SLOW_TESTS=1 pnpm test` runs everything.
 */
const SLOW_TESTS = ['test/placeholder-image.test.ts', 'test/soak.test.ts', 'test/huge-bodies.test.ts'];
const runSlow = process.env.IMAGEGEN_SLOW_TESTS === '1' || (process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false' && process.env.CI !== '0');
// Only when the whole suite runs: naming a slow file on the command line runs it regardless.
const namedOnCommandLine = process.argv.slice(2).some((arg) => /placeholder-image|soak|huge-bodies/.test(arg));
if (!runSlow && !namedOnCommandLine) {
  console.warn(`mock-server: leaving out the slow tests (${SLOW_TESTS.join(', ')}); CI runs them, IMAGEGEN_SLOW_TESTS=1 runs them here`);
}

/**
 * Files that measure how fast the process answers run after the others, one at a time (the `alone`
 * project: a later `sequence.groupOrder`, no file parallelism), each in a fresh worker: beside
 * another worker, or beside each other, the soak's create rate fell tenfold and the p99 of a small
 * GET went from under 50 ms to 100-1,000 ms on an otherwise quiet machine. The soak also forces
 * garbage collections to see what the mock holds, and the p99 test's client would pause for
 * collections of a heap the other files left.
 */
const ALONE = ['test/soak.test.ts', 'test/huge-bodies.test.ts'];
/**
 * Files that force garbage collections to see what the mock holds, and assert nothing about time:
 * each gets a fresh worker (the `fresh-heap` project), beside the shared ones. In a worker shared
 * with the other files every collection walks what those left in the heap (huge-prompts.test.ts
 * took 11 s alone, about 60 s after the rest). Run after the others, alone, it added a worker's
 * start-up and its five tests to the end of the run on one core.
 */
const FRESH_HEAP = ['test/huge-prompts.test.ts'];
const exclude = [...configDefaults.exclude, ...(runSlow || namedOnCommandLine ? [] : SLOW_TESTS)];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // test/setup.ts closes every mock, listener and proxy a test opened, after that test, and puts
    // back what a file changed in the process (timers, spies, stubbed globals and env) when it ends.
    setupFiles: ['test/setup.ts'],
    // vitest's default is one worker per core but one: a single worker on a 2-core machine, where
    // this package's tests are the last task of `pnpm test` and ran alone on one core while the
    // other idled (the whole run averaged 101% CPU). Two workers use both.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      {
        extends: true,
        test: {
          name: 'shared',
          include: ['test/**/*.test.ts'],
          exclude: [...exclude, ...ALONE, ...FRESH_HEAP],
          // One module graph for these files: the server's modules (Express, the validator, Ajv,
          // five specs) are imported once per worker instead of once per file, about 40% of this
          // suite's CPU time. No file depends on the ones before it: `vitest run --sequence.shuffle`
          // passes.
          isolate: false,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: { name: 'fresh-heap', include: FRESH_HEAP, exclude, isolate: true, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        // In the same `vitest run` as the others, after them: a second run started vitest, its
        // workers and the server's modules again.
        test: { name: 'alone', include: ALONE, exclude, isolate: true, fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
