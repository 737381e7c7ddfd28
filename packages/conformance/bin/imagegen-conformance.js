#!/usr/bin/env node
// The `imagegen-conformance` executable. Plain JavaScript and committed, so it exists before the
// first build: `pnpm install` on a fresh clone links it without a warning.
try {
  await import('../dist/cli.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('/dist/cli.js')) throw error;
  console.error('imagegen-conformance: the package is not built (dist/ is missing); in the imagegen-contracts repository run: pnpm build');
  process.exit(1);
}
