// Fails when a committed generated file no longer matches its spec: the spec changed and the
// types did not, or an API was added and a list of APIs (scripts/api-lists.mjs) was not
// regenerated. Runs before anything regenerates, so it sees the files as committed.
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

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
// The lists every API joins (client dependencies, README tables), from the same code that writes them.
const { apiLists } = await import('./api-lists.mjs');
for (const { file, render } of apiLists()) {
  const committed = existsSync(join(ROOT, file)) ? readFileSync(join(ROOT, file), 'utf8') : '';
  if (render(committed) !== committed) stale.push(`  ${file} (its list of APIs)`);
}
if (stale.length > 0) {
  console.error(`Generated files are out of date with the specs and packages:\n${stale.join('\n')}\nFix: run \`pnpm generate\` (then \`pnpm install\` if a package.json changed) and commit the result.`);
  process.exit(1);
}
console.log(`generated types and API lists match the specs (${specSlugs().join(', ')})`);
