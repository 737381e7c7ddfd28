import type { OpenApiDocument, SecurityRequirement } from './spec-document.js';
import { deref } from './spec-document.js';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** A security scheme an operation accepts, as the spec declares it. */
export type SecurityScheme =
  | { name: string; type: 'apiKey'; in: 'header' | 'query' | 'cookie'; paramName: string }
  | { name: string; type: 'http'; scheme: string };

/** One operation of a spec, with what the server needs at request time precomputed. */
export interface Operation {
  method: string;
  /** OpenAPI path template, e.g. `/v1/images/jobs/{id}`. */
  path: string;
  operationId: string;
  /** Alternatives: any one of these sets of schemes authenticates. Empty means public. */
  security: SecurityScheme[][];
  /** Whether the operation declares a request body. */
  hasRequestBody: boolean;
  /** The request body's schema by media type (`application/json`, `multipart/form-data`...), as written. */
  requestSchemas: Record<string, unknown>;
  /** Documented response status codes, as strings ('200', '404', 'default'). */
  statuses: string[];
  /** Resolved response objects by status. */
  responses: Record<string, Record<string, unknown>>;
  /** Matches a request path below the API's base path; groups are the path parameters. */
  pattern: RegExp;
  paramNames: string[];
}

// Read by several stages of one server (routing, fault plans, validation, the not-found hint):
// computed once per document object. Documents are not changed once an API is mounted.
const operationsOf = new WeakMap<OpenApiDocument, Operation[]>();

/** Every operation of a spec, in document order (one list per document object: do not modify it). */
export function listOperations(doc: OpenApiDocument): readonly Operation[] {
  let operations = operationsOf.get(doc);
  if (!operations) {
    operations = readOperations(doc);
    operationsOf.set(doc, operations);
  }
  return operations;
}

function readOperations(doc: OpenApiDocument): Operation[] {
  const schemes = (doc.components?.securitySchemes ?? {}) as Record<string, Record<string, unknown>>;
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method] as Record<string, unknown> | undefined;
      if (!op) continue;
      const requirements = (op.security ?? doc.security ?? []) as SecurityRequirement[];
      const responses = Object.fromEntries(
        Object.entries((op.responses ?? {}) as Record<string, unknown>).map(([status, response]) => [
          status,
          deref<Record<string, unknown>>(doc, response),
        ]),
      );
      const { pattern, paramNames } = compilePathTemplate(path);
      const requestBody = op.requestBody === undefined ? undefined : deref<{ content?: Record<string, { schema?: unknown }> }>(doc, op.requestBody);
      const requestSchemas = Object.fromEntries(Object.entries(requestBody?.content ?? {}).map(([type, media]) => [type.toLowerCase(), media.schema]));
      operations.push({
        method: method.toUpperCase(),
        path,
        operationId: String(op.operationId ?? `${method} ${path}`),
        security: requirements.map((requirement) =>
          Object.keys(requirement).map((name) => toScheme(name, deref(doc, schemes[name]))),
        ).filter((alternative) => alternative.length > 0),
        hasRequestBody: op.requestBody !== undefined,
        requestSchemas,
        statuses: Object.keys(responses),
        responses,
        pattern,
        paramNames,
      });
    }
  }
  return operations;
}

function toScheme(name: string, scheme: Record<string, unknown> | undefined): SecurityScheme {
  if (scheme?.type === 'apiKey') {
    return { name, type: 'apiKey', in: scheme.in as 'header', paramName: String(scheme.name) };
  }
  if (scheme?.type === 'http') return { name, type: 'http', scheme: String(scheme.scheme).toLowerCase() };
  throw new Error(`Security scheme ${name} (${String(scheme?.type)}) is not supported by the mock server`);
}

/** `/v1/jobs/{id}` -> a pattern matching one path and the names of its parameters, one segment each. */
export function compilePathTemplate(template: string): { pattern: RegExp; paramNames: string[] } {
  const paramNames: string[] = [];
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const param = /^\{([^}]+)\}$/.exec(part);
      if (param?.[1]) {
        paramNames.push(param[1]);
        return '([^/]+)';
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return { pattern: new RegExp(`^${source}/?$`), paramNames };
}

/** Finds the operation for a method and a path below the base path, and the path's other methods. */
export class OperationIndex {
  constructor(readonly operations: readonly Operation[]) {}

  /** `undecodable` names the first path parameter that is not valid percent-encoding (kept as sent). */
  match(method: string, path: string): { operation?: Operation; pathParams: Record<string, string>; allowed: string[]; undecodable?: string } {
    const allowed: string[] = [];
    for (const operation of this.operations) {
      const groups = operation.pattern.exec(path);
      if (!groups) continue;
      allowed.push(operation.method);
      if (operation.method !== method) continue;
      const pathParams: Record<string, string> = {};
      let undecodable: string | undefined;
      operation.paramNames.forEach((name, i) => {
        const raw = groups[i + 1] ?? '';
        // Decoded once: what is not valid percent-encoding is kept as sent and named. (A separate
        // decodeURIComponent whose result went unused was dropped by the bundler as pure, so the
        // bundled CLI never saw an undecodable parameter.)
        const decoded = decodedOrUndefined(raw);
        pathParams[name] = decoded ?? raw;
        if (undecodable === undefined && decoded === undefined) undecodable = name;
      });
      return undecodable === undefined ? { operation, pathParams, allowed } : { operation, pathParams, allowed, undecodable };
    }
    return { pathParams: {}, allowed };
  }
}

/** `decodeURIComponent`, or undefined for what is not valid percent-encoding. */
function decodedOrUndefined(value: string): string | undefined {
  // Without an escape there is nothing to decode (an id, on every poll): skip the call and its try.
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/** `decodeURIComponent`, leaving a malformed escape as it was sent. */
export function safeDecode(value: string): string {
  return decodedOrUndefined(value) ?? value;
}

/** Whether the operation documents `status`, exactly, as its `4XX`-style range, or as `default`. */
export function documentsStatus(operation: Operation, status: number): boolean {
  return [String(status), `${String(status).charAt(0)}XX`, 'default'].some((documented) => operation.statuses.includes(documented));
}
