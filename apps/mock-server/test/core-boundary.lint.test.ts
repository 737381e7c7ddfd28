// The vendor boundary as a lint rule (eslint.config.js): core/ imports nothing from apis/ nor any
// API's package, so a vendor's detail cannot leak into a mechanism every API shares; and no file of
// the mock imports a client package (types come from the spec package).
import { fileURLToPath } from 'node:url';

import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const eslint = new ESLint({ cwd: repo });

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
}

describe('core/ imports no vendor', () => {
  it.each([
    ["import { lumixai } from '../apis/lumixai/index.js';", /core\/ knows no vendor/],
    ["import type { APIS } from '../apis/registry.js';", /core\/ knows no vendor/],
    ["import type { operations } from '@imagegen/lumen';", /no API's package/],
    ["import type { operations } from '@imagegen/spec/lumen/types';", /no API's spec or types/],
  ])('refuses %s', async (line, message) => {
    const found = await restrictedImports('apps/mock-server/src/core/pipeline/probe.ts', `${line}\nexport const probe = 1;\n`);
    expect(found).toEqual([expect.stringMatching(message)]);
  });

  it('lets core import core and the spec package, and a vendor import core', async () => {
    expect(await restrictedImports('apps/mock-server/src/core/probe.ts', "import { loadSpec } from './spec-document.js';\nimport '@imagegen/spec/package.json';\nimport { inferenceReport } from '@imagegen/spec/inferences.mjs';\nexport const probe = [loadSpec, inferenceReport];\n")).toEqual([]);
    expect(await restrictedImports('apps/mock-server/src/apis/lumen/probe.ts', "import type { operations } from '@imagegen/spec/lumen/types';\nimport { problem } from '../../core/problems.js';\nexport type Probe = operations;\nexport const probe = problem;\n")).toEqual([]);
  });

  it.each(['apps/mock-server/src/apis/lumen/probe.ts', 'apps/mock-server/src/create-mock-server.ts'])('refuses a client package in %s: types come from @imagegen/spec/<slug>/types', async (file) => {
    const found = await restrictedImports(file, "import type { operations } from '@imagegen/lumen';\nexport type Probe = operations;\n");
    expect(found).toEqual([expect.stringMatching(/imports no client package/)]);
  });
});
