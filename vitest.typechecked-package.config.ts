// Shared by packages whose public types are part of their contract: `vitest run --typecheck`
// runs test/**/*.test.ts and checks test/**/*.test-d.ts with tsc, from the package's folder.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    typecheck: {
      include: ['test/**/*.test-d.ts'],
      tsconfig: './tsconfig.json',
    },
  },
});
