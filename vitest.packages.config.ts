// `pnpm test`'s run of the library packages' tests (the root task //#test-packages): every packages/*
// package without a `test` script of its own (client-kit, the clients, ai-sdk) as a vitest project,
// each with its own vitest.config.ts, in one vitest process. One process instead of one per package:
// each spent about 1 s of CPU starting vitest (and 0.4 s the pnpm turbo ran it with) for a second
// or less of tests (six packages' tests: 15.9 s of CPU -> 10 s side by side). Each test file still
// runs in a worker of its own, as before. `pnpm --filter <package> exec vitest run` runs one package.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { defineConfig } from 'vitest/config';

const packagesDir = fileURLToPath(new URL('./packages', import.meta.url));

function testedHere(): string[] {
  const dirs = readdirSync(packagesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(packagesDir, entry.name, 'package.json')))
    .map((entry) => join(packagesDir, entry.name));
  const ours = dirs.filter((dir) => (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }).scripts?.test === undefined);
  // Without it the package's `test` task would do nothing and `turbo run test --filter=<it>` run no test.
  const unwired = ours.filter((dir) => !(existsSync(join(dir, 'turbo.json')) && readFileSync(join(dir, 'turbo.json'), 'utf8').includes('"//#test-packages"')));
  if (unwired.length > 0) {
    throw new Error(`${unwired.join(', ')}: no "test" script, so its turbo.json must make its test task depend on "//#test-packages" (copy packages/lumen/turbo.json)`);
  }
  return ours;
}

export default defineConfig({
  test: {
    projects: testedHere(),
  },
});
