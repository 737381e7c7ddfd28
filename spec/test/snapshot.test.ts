// dist/<slug>.json (written by `pnpm build`) is what the mock server starts from: it must be the
// YAML's exact parse, stamped with the hash of the YAML it came from.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const specDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const slugs = readdirSync(specDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(specDir, entry.name, 'openapi.yaml')))
  .map((entry) => entry.name);

describe.each(slugs)('dist/%s.json', (slug) => {
  it('holds the parse of the YAML and the SHA-256 of its text', () => {
    const yaml = readFileSync(join(specDir, slug, 'openapi.yaml'), 'utf8');
    const snapshot = JSON.parse(readFileSync(join(specDir, 'dist', `${slug}.json`), 'utf8')) as Record<string, unknown>;
    expect(snapshot).toEqual({ source: `${slug}/openapi.yaml`, sha256: createHash('sha256').update(yaml).digest('hex'), document: parse(yaml) });
  });
});

it('has a snapshot per spec and no other', () => {
  expect(readdirSync(join(specDir, 'dist')).sort()).toEqual(slugs.map((slug) => `${slug}.json`).sort());
  expect(slugs.length).toBeGreaterThan(0);
});
