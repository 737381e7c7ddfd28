// Writes the lists every API joins (scripts/api-lists.mjs): run by `pnpm generate`. After it changes
// a package.json, `pnpm install` links the new client.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { apiLists } from './api-lists.mjs';
import { ROOT } from './generated-types.mjs';

for (const { file, render } of apiLists()) {
  const current = readFileSync(join(ROOT, file), 'utf8');
  const next = render(current);
  if (next !== current) {
    writeFileSync(join(ROOT, file), next);
    console.log(`generated the API lists of ${file}`);
  }
}
