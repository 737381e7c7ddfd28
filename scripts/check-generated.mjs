// Fails when a committed generated file no longer matches its spec: the spec changed and the
// types did not. Runs before anything regenerates, so it sees the files as committed.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

// Said before openapi-typescript loads: on a busy machine the check takes a while.
console.log('checking the generated types against their specs...');
const { ROOT, specSlugs, generatedFile, renderTypes } = await import('./generated-types.mjs');

const stale = [];
for (const slug of specSlugs()) {
  const file = generatedFile(slug);
  let committed = '';
  try {
    committed = readFileSync(file, 'utf8');
  } catch {
    // A missing file is as stale as a wrong one.
  }
  if (committed !== (await renderTypes(slug))) stale.push(`  ${relative(ROOT, file)} (from spec/${slug}/openapi.yaml)`);
}
if (stale.length > 0) {
  console.error(`Generated types are out of date with their specs:\n${stale.join('\n')}\nFix: run \`pnpm generate\` and commit the result.`);
  process.exit(1);
}
console.log(`generated types match their specs (${specSlugs().join(', ')})`);
