import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import type { parse as parseYaml } from 'yaml';

import type { OpenApiDocument } from './spec-document.js';

const require = createRequire(import.meta.url);

/** `dist/<slug>.json` of `@imagegen/spec`: a spec parsed at build time, and the hash of its YAML. */
interface SpecSnapshot {
  sha256: string;
  document: OpenApiDocument;
}

/** Where `@imagegen/spec` keeps the snapshot of `<slug>`; undefined before its first build. */
export function specSnapshotPath(slug: string): string | undefined {
  try {
    return require.resolve(`@imagegen/spec/dist/${slug}.json`);
  } catch {
    return undefined;
  }
}

/**
 * Parses a spec, through its build-time JSON snapshot when that was made from the YAML as it is
 * now. Parsing the YAML takes ~25 ms per spec, a large share of a server's start-up once five APIs
 * are mounted; the snapshot takes ~0.2 ms. A missing or stale snapshot (the YAML edited since the
 * last build) is never used.
 */
export function readSpecDocument(yamlPath: string, snapshotPath: string | undefined): OpenApiDocument {
  const text = readFileSync(yamlPath, 'utf8');
  if (snapshotPath !== undefined) {
    const snapshot = JSON.parse(readFileSync(snapshotPath, 'utf8')) as SpecSnapshot;
    if (snapshot.sha256 === createHash('sha256').update(text).digest('hex')) return snapshot.document;
  }
  // Loaded only here: importing the YAML parser costs ~10 ms that a server with fresh snapshots never pays.
  const { parse } = require('yaml') as { parse: typeof parseYaml };
  return parse(text) as OpenApiDocument;
}
