// Reads the LumixAI contract so the tests take their operations, statuses and error types from
// the spec itself: a status added to the spec is a status the tests must cover.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import { parse } from 'yaml';

const require = createRequire(import.meta.url);

/** Absolute path of `spec/lumixai/openapi.yaml`, through the `@imagegen/spec` package. */
export const LUMIXAI_SPEC_PATH = require.resolve('@imagegen/spec/lumixai/openapi.yaml');

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

type Node = Record<string, unknown>;

/** One documented response of one operation. */
export interface DocumentedResponse {
  operationId: string;
  method: string;
  /** The spec's path template, e.g. `/v1/images/jobs/{id}`. */
  path: string;
  /** The documented status, e.g. `'202'` or `'404'` (kept as written; `default` would stay `default`). */
  status: string;
  /** The single `error.type` enum value of the response's JSON schema, when it is an error envelope. */
  errorType: string | undefined;
  /** Header names the response declares as required (lower-cased). */
  requiredHeaders: string[];
  /** Whether the operation takes a request body. */
  hasBody: boolean;
  /** Names of the path's `{parameters}`, e.g. `['id']`. */
  pathParams: string[];
}

export interface LumixAISpec {
  doc: Node;
  /** The first server URL, e.g. `/api/backend`. */
  serverUrl: string;
  /** Every (operation, status) pair, in document order. */
  responses: DocumentedResponse[];
  /** Follows local `$ref`s. */
  deref<T = Node>(node: unknown): T;
}

export function loadLumixAISpec(): LumixAISpec {
  const doc = parse(readFileSync(LUMIXAI_SPEC_PATH, 'utf8')) as Node;
  const deref = <T = Node>(node: unknown): T => {
    let current = node;
    for (let hops = 0; isRef(current); hops++) {
      if (hops > 32) throw new Error(`$ref cycle at ${current.$ref}`);
      const pointer = current.$ref;
      if (!pointer.startsWith('#/')) throw new Error(`only local $refs are expected, got ${pointer}`);
      current = pointer
        .slice(2)
        .split('/')
        .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
        .reduce<unknown>((parent, key) => (parent as Node | undefined)?.[key], doc);
      if (current === undefined) throw new Error(`unresolvable $ref ${pointer}`);
    }
    return current as T;
  };

  const responses: DocumentedResponse[] = [];
  for (const [path, item] of Object.entries(doc.paths as Record<string, Node>)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method] as Node | undefined;
      if (operation === undefined) continue;
      const operationId = String(operation.operationId);
      for (const [status, ref] of Object.entries(operation.responses as Node)) {
        const response = deref(ref);
        responses.push({
          operationId,
          method: method.toUpperCase(),
          path,
          status,
          errorType: errorTypeOf(deref, response),
          requiredHeaders: Object.entries((response.headers ?? {}) as Node)
            .filter(([, header]) => deref(header).required === true)
            .map(([name]) => name.toLowerCase()),
          hasBody: operation.requestBody !== undefined,
          pathParams: [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!),
        });
      }
    }
  }
  const servers = (doc.servers ?? []) as Array<{ url: string }>;
  return { doc, serverUrl: servers[0]?.url ?? '', responses, deref };
}

/** `error.type`'s single enum value in a response's `application/json` schema. */
function errorTypeOf(deref: LumixAISpec['deref'], response: Node): string | undefined {
  const content = response.content as Record<string, { schema?: unknown }> | undefined;
  const schema = content?.['application/json']?.schema;
  if (schema === undefined) return undefined;
  const properties = (node: unknown) => (deref(node).properties ?? {}) as Node;
  const error = properties(schema).error;
  const type = error === undefined ? undefined : properties(error).type;
  const values = type === undefined ? undefined : (deref(type).enum as unknown[] | undefined);
  return values?.length === 1 && typeof values[0] === 'string' ? values[0] : undefined;
}

function isRef(node: unknown): node is { $ref: string } {
  return typeof node === 'object' && node !== null && typeof (node as { $ref?: unknown }).$ref === 'string';
}

/** `createImageJob 409`: how a pair is named in test titles and coverage messages. */
export function pairName(response: Pick<DocumentedResponse, 'operationId' | 'status'>): string {
  return `${response.operationId} ${response.status}`;
}
