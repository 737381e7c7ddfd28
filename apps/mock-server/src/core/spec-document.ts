import { createRequire } from 'node:module';

import { readSpecDocument, specSnapshotPath } from './spec-snapshot.js';

/** The parts of an OpenAPI 3.0 document the mock server reads. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  servers?: Array<{ url: string }>;
  paths: Record<string, Record<string, unknown>>;
  components?: Record<string, Record<string, unknown>>;
  security?: SecurityRequirement[];
  [key: string]: unknown;
}

export type SecurityRequirement = Record<string, string[]>;

const require = createRequire(import.meta.url);

/** Absolute path of `spec/<slug>/openapi.yaml`, resolved through the `@imagegen/spec` package. */
export function specPath(slug: string): string {
  return require.resolve(`@imagegen/spec/${slug}/openapi.yaml`);
}

// Kept as JSON text: a spec is plain JSON data (the build's snapshot is JSON), and parsing the text
// makes each server's copy 3-4 times faster than structuredClone of the parsed document.
const parsed = new Map<string, string>();

/** Reads and parses a spec once per process. Each call returns a fresh copy, safe to modify. */
export function loadSpec(slug: string): OpenApiDocument {
  let text = parsed.get(slug);
  if (text === undefined) {
    text = JSON.stringify(readSpecDocument(specPath(slug), specSnapshotPath(slug)));
    parsed.set(slug, text);
  }
  return JSON.parse(text) as OpenApiDocument;
}

/** The path of the first server URL (`/api/backend`), or '' when the spec lists none. */
export function basePathOf(doc: OpenApiDocument): string {
  const url = doc.servers?.[0]?.url ?? '';
  const path = /^[a-z]+:\/\//i.test(url) ? new URL(url).pathname : url;
  return path.replace(/\/+$/, '');
}

/** Follows a local `$ref` (`#/components/...`); anything else is returned unchanged. */
export function deref<T = unknown>(doc: OpenApiDocument, node: unknown): T {
  let current = node;
  for (let hops = 0; isRef(current); hops++) {
    if (hops > 32) throw new Error(`$ref cycle at ${current.$ref}`);
    const pointer = current.$ref;
    if (!pointer.startsWith('#/')) throw new Error(`Only local $refs are supported, got ${pointer}`);
    current = pointer
      .slice(2)
      .split('/')
      .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<unknown>((parent, key) => (parent as Record<string, unknown> | undefined)?.[key], doc);
    if (current === undefined) throw new Error(`Unresolvable $ref ${pointer}`);
  }
  return current as T;
}

function isRef(node: unknown): node is { $ref: string } {
  return typeof node === 'object' && node !== null && typeof (node as { $ref?: unknown }).$ref === 'string';
}
