// Reads the LumixAI contract so the tests take their operations, statuses and error types from
// the spec itself: a status added to the spec is a status the tests must cover. The spec reading
// is the mock server's own (listOperations, deref); Prism, not this code, judges the answers.
import { deref, listOperations, loadSpec, lumixAIErrorTypeOf, specPath } from '@imagegen/mock-server';
import type { OpenApiDocument } from '@imagegen/mock-server';

/** Absolute path of `spec/lumixai/openapi.yaml`, through the `@imagegen/spec` package. */
export const LUMIXAI_SPEC_PATH = specPath('lumixai');

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
  doc: OpenApiDocument;
  /** The first server URL, e.g. `/api/backend`. */
  serverUrl: string;
  /** Every (operation, status) pair, in document order. */
  responses: DocumentedResponse[];
  /** Follows local `$ref`s. */
  deref<T = Node>(node: unknown): T;
}

export function loadLumixAISpec(): LumixAISpec {
  const doc = loadSpec('lumixai');
  const follow = <T = Node>(node: unknown): T => deref<T>(doc, node);
  const responses = listOperations(doc).flatMap((operation) =>
    Object.entries(operation.responses).map(([status, response]): DocumentedResponse => ({
      operationId: operation.operationId,
      method: operation.method,
      path: operation.path,
      status,
      errorType: lumixAIErrorTypeOf(doc, response),
      requiredHeaders: Object.entries((response.headers ?? {}) as Node)
        .filter(([, header]) => follow(header).required === true)
        .map(([name]) => name.toLowerCase()),
      hasBody: operation.hasRequestBody,
      pathParams: operation.paramNames,
    })),
  );
  return { doc, serverUrl: doc.servers?.[0]?.url ?? '', responses, deref: follow };
}

/** `createImageJob 409`: how a pair is named in test titles and coverage messages. */
export function pairName(response: Pick<DocumentedResponse, 'operationId' | 'status'>): string {
  return `${response.operationId} ${response.status}`;
}
