// Reads one API's contract so the tests take their operations, statuses, error codes, required
// headers and examples from the spec itself: a status added to a spec is a status the tests must
// cover. The spec reading is the mock server's own (loadSpec, listOperations, deref); Prism, not
// this code, judges the answers.
import { basePathOf, deref, listOperations, loadSpec, specPath } from '@imagegen/mock-server';
import type { ApiSlug, OpenApiDocument } from '@imagegen/mock-server';

type Node = Record<string, unknown>;

/** A vendor's machine-readable error code: LumixAI's `error.type`, useapi.net's numeric `code`. */
export type ErrorCode = string | number;

/**
 * Reads the one error code a documented response pins (e.g. a single-value enum in its schema), or
 * `undefined` when its body documents none. Each suite brings its vendor's reader.
 */
export type ErrorCodeReader = (doc: OpenApiDocument, response: unknown) => ErrorCode | undefined;

/** One documented response of one operation: an (operation, status) pair. */
export interface DocumentedResponse {
  operationId: string;
  /** Upper case, e.g. `GET`. */
  method: string;
  /** The spec's path template, e.g. `/v1/images/jobs/{id}`. */
  path: string;
  /** The documented status, e.g. `'202'` or `'596'` (kept as written; `default` would stay `default`). */
  status: string;
  /** The error code the response's schema pins, read by the suite's {@link ErrorCodeReader}. */
  errorCode: ErrorCode | undefined;
  /** Header names the response declares as required (lower-cased). */
  requiredHeaders: string[];
  /** Whether the operation takes a request body. */
  hasBody: boolean;
  /** Names of the path's `{parameters}`, e.g. `['id']`. */
  pathParams: string[];
  /** Whether the operation needs credentials. */
  secured: boolean;
  /** The response object, `$ref`s at its top level resolved. */
  response: Node;
}

export interface Contract {
  slug: ApiSlug;
  /** Absolute path of `spec/<slug>/openapi.yaml`: what Prism is started with. */
  specPath: string;
  doc: OpenApiDocument;
  /** The path of the first server URL, e.g. `/api/backend` (also for absolute server URLs). */
  basePath: string;
  /** Every (operation, status) pair, in document order. */
  responses: DocumentedResponse[];
  /** Follows local `$ref`s. */
  deref<T = Node>(node: unknown): T;
  /** The JSON example of a documented response (the named one of `examples`, else the first), as Prism serves it. */
  exampleOf(path: string, method: string, status: string, name?: string): Node;
  /** The example value of a response header, as Prism sends it (`header.example`, else `schema.example`). */
  headerExample(pair: DocumentedResponse, header: string): string | undefined;
}

export function loadContract(slug: ApiSlug, errorCodeOf: ErrorCodeReader): Contract {
  const doc = loadSpec(slug);
  const follow = <T = Node>(node: unknown): T => deref<T>(doc, node);
  const headersOf = (response: Node) => Object.entries((response.headers ?? {}) as Node).map(([name, header]) => ({ name, header: follow(header) }));
  const responses = listOperations(doc).flatMap((operation) =>
    Object.entries(operation.responses).map(([status, response]): DocumentedResponse => ({
      operationId: operation.operationId,
      method: operation.method,
      path: operation.path,
      status,
      errorCode: errorCodeOf(doc, response),
      requiredHeaders: headersOf(response)
        .filter(({ header }) => header.required === true)
        .map(({ name }) => name.toLowerCase()),
      hasBody: operation.hasRequestBody,
      pathParams: operation.paramNames,
      secured: operation.security.length > 0,
      response,
    })),
  );
  return {
    slug,
    specPath: specPath(slug),
    doc,
    basePath: basePathOf(doc),
    responses,
    deref: follow,
    exampleOf(path, method, status, name) {
      const operation = doc.paths[path]?.[method] as Node | undefined;
      if (!operation) throw new Error(`${slug}: no operation ${method.toUpperCase()} ${path}`);
      const response = follow((operation.responses as Node)[status]);
      const media = (response.content as Record<string, Node> | undefined)?.['application/json'];
      if (!media) throw new Error(`${slug}: ${method.toUpperCase()} ${path} ${status} has no JSON body`);
      // spec/STYLE.md: bodies give named `examples`; without a name, the first one (Prism's pick too).
      const examples = (media.examples ?? {}) as Node;
      const chosen = name ?? Object.keys(examples)[0];
      if (chosen === undefined || examples[chosen] === undefined) throw new Error(`${slug}: ${method.toUpperCase()} ${path} ${status} has no example ${name ?? ''}`);
      return follow<{ value: Node }>(examples[chosen]).value;
    },
    headerExample(pair, header) {
      const found = headersOf(pair.response).find(({ name }) => name.toLowerCase() === header.toLowerCase())?.header;
      const example = found?.example ?? follow<Node | undefined>(found?.schema)?.example;
      return example === undefined ? undefined : String(example);
    },
  };
}

/** `createImageJob 409`: how a pair is named in test titles, scenario keys and coverage messages. */
export function pairName(response: Pick<DocumentedResponse, 'operationId' | 'status'>): string {
  return `${response.operationId} ${response.status}`;
}
