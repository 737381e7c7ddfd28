// Shared by the client packages. Their type tests (test/**/*.test-d.ts, `expectTypeOf`) are checked
// once, by the `typecheck` task (one program over every package's src and test/,
// tsconfig.typecheck.json): a failed type assertion is a compile error there. `vitest run --typecheck` used to check the same files again
// in every package, 25-35 s of tsc each on the 2-core machine.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
  },
});
