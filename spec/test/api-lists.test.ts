// Issue 14's measure, for the lists outside an API's own folders: a sixth API joins every one of
// them through `pnpm generate` alone. A scratch tree holds the files that carry lists (READMEs,
// manifests, the AI SDK's index) and what they are written from (each spec, client manifest and AI
// SDK provider); adding a copy of LumozAI's three files under a new slug must change every list
// and name the new API in each, with no other file touched.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, describe, expect, it } from 'vitest';

import { apiLists } from '../../scripts/api-lists.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PROVIDERS = 'packages/ai-sdk/src/providers';
const scratch: string[] = [];

/** What each API is written from: its spec, its client's manifest, its AI SDK provider. */
function sources(slug: string): string[] {
  return [`spec/${slug}/openapi.yaml`, `packages/${slug}/package.json`, `${PROVIDERS}/${slug}.ts`].filter((file) => existsSync(join(ROOT, file)));
}

function write(root: string, file: string, text: string): void {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), text);
}

/** A tree with the repository's lists and every API's sources, as `pnpm generate` sees them. */
function scratchTree(): string {
  const root = mkdtempSync(join(tmpdir(), 'imagegen-api-lists-'));
  scratch.push(root);
  const slugs = readdirSync(join(ROOT, 'spec')).filter((name) => existsSync(join(ROOT, 'spec', name, 'openapi.yaml')));
  for (const file of [...new Set(apiLists().map((list) => list.file)), ...slugs.flatMap(sources)]) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    copyFileSync(join(ROOT, file), join(root, file));
  }
  return root;
}

/** Each list file's text after every list in it is written, as scripts/write-api-lists.mjs does. */
function generated(root: string): Map<string, { before: string; after: string }> {
  const files = new Map<string, { before: string; after: string }>();
  for (const { file, render } of apiLists(root)) {
    const entry = files.get(file) ?? { before: readFileSync(join(root, file), 'utf8'), after: readFileSync(join(root, file), 'utf8') };
    entry.after = render(entry.after);
    files.set(file, entry);
  }
  return files;
}

afterAll(() => {
  for (const root of scratch) rmSync(root, { recursive: true, force: true });
});

describe('the lists of APIs outside their folders', () => {
  it('are, in the repository, what pnpm generate writes (the scratch tree is faithful)', () => {
    for (const [file, { before, after }] of generated(scratchTree())) expect(after, file).toBe(before);
  });

  it('take in a sixth API from its own spec, client manifest and AI SDK provider, with no hand edit', () => {
    const root = scratchTree();
    // A slug no real API has, so the test holds in a tree that already added a sixth API by hand.
    const rename = (text: string) => text.replaceAll('lumozai', 'lumozai-sixth').replaceAll('LumozAI', 'LumozAISixth').replaceAll('LUMOZAI', 'LUMOZAI_SIXTH');
    for (const file of sources('lumozai')) write(root, rename(file), rename(readFileSync(join(ROOT, file), 'utf8')));

    const lists = generated(root);
    expect([...lists.keys()].sort()).toEqual([
      'README.md',
      'apps/consumer-tests/package.json',
      'apps/contract-tests/package.json',
      'apps/mock-server/package.json',
      'packages/ai-sdk/README.md',
      'packages/ai-sdk/package.json',
      'packages/ai-sdk/src/generated/providers.ts',
      'packages/conformance/package.json',
      'spec/README.md',
    ]);
    for (const [file, { before, after }] of lists) {
      expect(after, `${file} takes the sixth API in`).not.toBe(before);
      expect(after, file).toMatch(/lumozai-sixth|LumozAISixth/);
    }
    const readme = lists.get('README.md')!.after;
    expect(readme).toContain("import { createLumozAISixthClient } from '@imagegen/lumozai-sixth';");
    expect(readme).toContain('  createLumozAISixthClient({ baseUrl: `${mock}/lumozai-sixth/api/v4`, apiKey: process.env.LUMOZAI_SIXTH_API_KEY }),');
    expect(readme).toContain('| `lumozai-sixth` | LumozAISixth API v4 | [spec/lumozai-sixth/openapi.yaml](spec/lumozai-sixth/openapi.yaml) | `@imagegen/lumozai-sixth` |');
    const index = lists.get('packages/ai-sdk/src/generated/providers.ts')!.after;
    expect(index).toContain("import { createLumozAISixth } from '../providers/lumozai-sixth.js';");
    expect(index).toContain("  'lumozai-sixth': createLumozAISixth,");
    expect(lists.get('packages/ai-sdk/README.md')!.after).toContain('| `createLumozAISixth` | `LUMOZAI_SIXTH_API_KEY` | `https://lumozai-sixth.com/api/v4` | 1 |');
    for (const manifest of ['apps/mock-server', 'apps/contract-tests', 'apps/consumer-tests', 'packages/conformance', 'packages/ai-sdk']) {
      const { dependencies = {}, devDependencies = {} } = JSON.parse(lists.get(`${manifest}/package.json`)!.after) as Record<string, Record<string, string> | undefined>;
      expect({ ...dependencies, ...devDependencies }['@imagegen/lumozai-sixth'], manifest).toBe('workspace:*');
    }
  });

  it('refuses a provider file that does not name its own API, saying what it must export', () => {
    const root = scratchTree();
    write(root, `${PROVIDERS}/lumen.ts`, readFileSync(join(ROOT, PROVIDERS, 'lumen.ts'), 'utf8').replace("vendor: 'lumen',", "vendor: 'lumixai',"));
    expect(() => apiLists(root)).toThrow(/lumen\.ts must export one `export const create<Name> = defineProvider\(\{` with `vendor: 'lumen',`/);
  });
});
