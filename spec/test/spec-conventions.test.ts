import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const specDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const slugs = readdirSync(specDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(specDir, entry.name, 'openapi.yaml')))
  .map((entry) => entry.name);

type Node = Record<string, unknown>;

/** Every object in the document with its JSON pointer. */
function* walk(node: unknown, pointer = '#'): Generator<[string, Node]> {
  if (typeof node !== 'object' || node === null) return;
  if (!Array.isArray(node)) yield [pointer, node as Node];
  for (const [key, child] of Object.entries(node)) yield* walk(child, `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`);
}

describe.each(slugs)('spec/%s/openapi.yaml', (slug) => {
  const doc = parse(readFileSync(join(specDir, slug, 'openapi.yaml'), 'utf8')) as Node;

  it('keeps the vendor page it was written from beside it', () => {
    expect(readdirSync(join(specDir, slug, 'source')).filter((f) => f.endsWith('.txt'))).not.toHaveLength(0);
  });

  it('gives every x-inferred node a one-line x-inferred-reason, and no reason without the flag', () => {
    const inferred = [...walk(doc)].filter(([, node]) => 'x-inferred' in node || 'x-inferred-reason' in node);
    expect(inferred.length).toBeGreaterThan(0);
    for (const [pointer, node] of inferred) {
      expect(node['x-inferred'], pointer).toBe(true);
      expect(node['x-inferred-reason'], pointer).toEqual(expect.stringMatching(/^[^\n]{20,300}$/));
    }
  });

  it('has an example for every JSON request and response of every operation', () => {
    const resolve = (node: unknown): Node => {
      let current = node as Node;
      while (typeof current?.$ref === 'string') {
        current = (current.$ref as string).slice(2).split('/').reduce<Node>((parent, key) => parent[key] as Node, doc);
      }
      return current;
    };
    const missing: string[] = [];
    for (const [path, item] of Object.entries(doc.paths as Node)) {
      for (const [method, operation] of Object.entries(item as Node)) {
        const op = operation as Node;
        const bodies: Array<[string, unknown]> = [];
        if (op.requestBody) bodies.push(['request', resolve(op.requestBody).content]);
        for (const [status, response] of Object.entries((op.responses ?? {}) as Node)) bodies.push([status, resolve(response).content]);
        for (const [where, content] of bodies) {
          const json = (content as Node | undefined)?.['application/json'] as Node | undefined;
          if (json && json.example === undefined && json.examples === undefined) missing.push(`${method.toUpperCase()} ${path} ${where}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});
