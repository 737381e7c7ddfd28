// Writes the lists every API joins (scripts/api-lists.mjs): run by `pnpm generate`. After it changes
// a package.json, `pnpm install` links the new client.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { apiLists } from './api-lists.mjs';
import { ROOT } from './generated-types.mjs';

for (const { file, render } of apiLists()) {
  // A whole generated file (the AI SDK's index of providers) may not exist yet.
  const current = existsSync(join(ROOT, file)) ? readFileSync(join(ROOT, file), 'utf8') : '';
  const next = render(current);
  if (next !== current) {
    mkdirSync(dirname(join(ROOT, file)), { recursive: true });
    writeFileSync(join(ROOT, file), next);
    console.log(`generated the API lists of ${file}`);
  }
}
