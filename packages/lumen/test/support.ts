// Shared by the tests: a scripted fetch, and the spec read as data.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import { parse } from 'yaml';
export { scriptedFetch, rejectionOf, jsonResponse as json } from '@imagegen/client-kit/testing';
export type { Reply, SentRequest } from '@imagegen/client-kit/testing';

type Node = Record<string, unknown>;

/** spec/lumen/openapi.yaml, parsed. */
export const spec = parse(
  readFileSync(createRequire(import.meta.url).resolve('@imagegen/spec/lumen/openapi.yaml'), 'utf8'),
) as Node;

/** Follows local `$ref`s. */
export function resolve(node: unknown): Node {
  let current = node as Node;
  while (typeof current?.$ref === 'string') {
    current = (current.$ref as string)
      .slice(2)
      .split('/')
      .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<Node>((parent, key) => parent[key] as Node, spec);
  }
  return current;
}

/** One documented response of one operation, with every example the spec gives for it. */
export interface DocumentedResponse {
  operationId: string;
  method: string;
  path: string;
  status: number;
  /** The `error.code` values the response's schema allows (none for a success). */
  codes: string[];
  examples: Array<{ name: string; value: unknown }>;
}

/** Every (operation, status) the spec documents, read off the YAML. */
export function documentedResponses(): DocumentedResponse[] {
  const rows: DocumentedResponse[] = [];
  for (const [path, item] of Object.entries(spec.paths as Node)) {
    for (const [method, operation] of Object.entries(item as Node)) {
      const op = operation as Node;
      for (const [status, ref] of Object.entries(op.responses as Node)) {
        const media = (resolve(ref).content as Node)['application/json'] as Node;
        const errorSchema = resolve((resolve(media.schema).properties as Node | undefined)?.error) as Node | undefined;
        const code = (errorSchema?.properties as Node | undefined)?.code as Node | undefined;
        rows.push({
          operationId: op.operationId as string,
          method: method.toUpperCase(),
          path,
          status: Number(status),
          codes: (code?.enum as string[] | undefined) ?? [],
          examples: Object.entries((media.examples ?? {}) as Node).map(([name, example]) => ({
            name,
            value: resolve(example).value,
          })),
        });
      }
    }
  }
  return rows;
}
