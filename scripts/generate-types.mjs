// Writes spec/<slug>/generated/openapi.d.ts for the given slugs (default: every spec).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';

import { ROOT, specSlugs, generatedFile, renderTypes } from './generated-types.mjs';

const slugs = process.argv.slice(2).length > 0 ? process.argv.slice(2) : specSlugs();
for (const slug of slugs) {
  const file = generatedFile(slug);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, await renderTypes(slug));
  console.log(`generated ${relative(ROOT, file)}`);
}
