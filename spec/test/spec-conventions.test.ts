import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
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

  // spec/STYLE.md rules that Redocly's assertions cannot express.
  const operations = (paths: unknown): Array<[string, Node]> =>
    Object.entries((paths ?? {}) as Node).flatMap(([path, item]) =>
      Object.entries(item as Node)
        .filter(([method]) => ['get', 'put', 'post', 'delete', 'patch'].includes(method))
        .map(([method, op]): [string, Node] => [`${method.toUpperCase()} ${path}`, op as Node]),
    );
  const deref = (node: unknown): Node => {
    let current = node as Node;
    while (typeof current?.$ref === 'string') current = (current.$ref as string).slice(2).split('/').reduce<Node>((parent, key) => parent[key] as Node, doc);
    return current;
  };
  const components = (doc.components ?? {}) as Record<string, Node | undefined>;

  it('names every error body schema <Condition>ErrorBody (or ErrorBody when all errors share one shape)', () => {
    const errorSchemas = new Set<string>();
    for (const [, op] of operations(doc.paths)) {
      for (const [status, response] of Object.entries((op.responses ?? {}) as Node)) {
        if (!/^[45]/.test(status)) continue;
        for (const media of Object.values((deref(response).content ?? {}) as Node)) {
          const ref = ((media as Node).schema as Node | undefined)?.$ref;
          if (typeof ref === 'string') errorSchemas.add(ref.split('/').at(-1)!);
        }
      }
    }
    expect([...errorSchemas].filter((name) => !name.endsWith('ErrorBody'))).toEqual([]);
  });

  it('names response components after their condition, never after a status number', () => {
    // A reason phrase ("BadRequest") is a condition's name only under its own status.
    const reasonPhrases = new Map(Object.entries(STATUS_CODES).map(([code, phrase]) => [String(phrase).replace(/[^A-Za-z]/g, ''), code]));
    const misnamed = Object.keys(components.responses ?? {}).filter((name) => !/^[A-Z][A-Za-z]*$/.test(name));
    const misused: string[] = [];
    const callbackOperations = Object.values(components.callbacks ?? {}).flatMap((callback) => operations(callback));
    for (const [where, op] of [...operations(doc.paths), ...callbackOperations]) {
      for (const [status, response] of Object.entries((op.responses ?? {}) as Node)) {
        const name = String((response as Node).$ref ?? '').match(/^#\/components\/responses\/(.+)$/)?.[1];
        const phraseStatus = name === undefined ? undefined : reasonPhrases.get(name);
        if (phraseStatus !== undefined && phraseStatus !== status) misused.push(`${where} ${status}: ${name} is the reason phrase of ${phraseStatus}`);
      }
    }
    expect(misnamed).toEqual([]);
    expect(misused).toEqual([]);
  });

  it('keeps callbacks in components/callbacks, each answering 200 and 4XX', () => {
    for (const [where, op] of operations(doc.paths)) {
      for (const [name, callback] of Object.entries((op.callbacks ?? {}) as Node)) {
        expect((callback as Node).$ref, `${where} callback ${name}`).toMatch(/^#\/components\/callbacks\//);
      }
    }
    for (const [name, callback] of Object.entries(components.callbacks ?? {})) {
      for (const [where, op] of operations(callback)) expect(Object.keys((op.responses ?? {}) as Node).sort(), `${name} ${where}`).toEqual(['200', '4XX']);
    }
  });

  it('declares Retry-After as required wherever a response has it', () => {
    const headers: Array<[string, Node]> = [];
    const visit = (node: unknown, at: string) => {
      if (typeof node !== 'object' || node === null) return;
      const retryAfter = (node as Node)['Retry-After'];
      if (at.endsWith('/headers') && retryAfter) headers.push([at, deref(retryAfter)]);
      for (const [key, child] of Object.entries(node)) visit(child, `${at}/${key}`);
    };
    visit(doc, '#');
    for (const [at, header] of headers) expect(header.required, at).toBe(true);
  });

  it('says on every job-creating POST without an Idempotency-Key that none is documented', () => {
    for (const [where, op] of operations(doc.paths)) {
      if (!where.startsWith('POST') || !op.requestBody || op.callbacks === undefined && !/job|task|generation|run|batch/i.test(String(op.summary))) continue;
      const hasKey = ((op.parameters ?? []) as unknown[]).some((parameter) => deref(parameter).name === 'Idempotency-Key');
      if (!hasKey) expect(String(op.description), where).toMatch(/no idempotency mechanism/i);
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
