import type { LumixAIErrorType } from '@imagegen/lumixai';

import type { CoreProblemKind, ErrorResponse, Problem, VendorErrorFormat } from '../../core/problems.js';
import type { OpenApiDocument } from '../../core/spec-document.js';
import { deref } from '../../core/spec-document.js';

/**
 * The vendor type for each problem the mock detects. The status each type is sent with is not
 * written here: it is read from the spec's error responses.
 */
const TYPE_BY_PROBLEM = {
  validation: 'validation_error',
  authentication: 'authentication_error',
  insufficient_credits: 'insufficient_credits_error',
  permission_denied: 'permission_denied_error',
  not_found: 'resource_not_found_error',
  // LumixAI documents no 405; an unknown method on a known path is a resource that does not exist.
  method_not_allowed: 'resource_not_found_error',
  idempotency_conflict: 'idempotency_conflict',
  rate_limited: 'rate_limit_error',
  unavailable: 'service_unavailable',
  // "Provider internals are normalized to service_unavailable for public callers."
  internal: 'service_unavailable',
} as const satisfies Record<CoreProblemKind, LumixAIErrorType>;

/** `{ "error": { "type", "message" } }` on the status the spec gives each type. */
export function lumixAIErrorFormat(doc: OpenApiDocument): VendorErrorFormat {
  const statusByType = new Map<string, number>();
  const typeByStatus = new Map<number, string>();
  for (const path of Object.values(doc.paths)) {
    for (const operation of Object.values(path) as Array<{ responses?: Record<string, unknown> }>) {
      for (const [status, ref] of Object.entries(operation.responses ?? {})) {
        const type = lumixAIErrorTypeOf(doc, ref);
        if (type === undefined) continue;
        statusByType.set(type, Number(status));
        typeByStatus.set(Number(status), type);
      }
    }
  }

  const build = (status: number, type: string, message: string, retryAfterSeconds?: number): ErrorResponse => ({
    status,
    body: { error: { type, message } },
    headers: type === 'rate_limit_error' ? { 'Retry-After': String(retryAfterSeconds ?? 1) } : undefined,
  });

  return {
    render(problem: Problem<CoreProblemKind>) {
      const type = TYPE_BY_PROBLEM[problem.kind];
      const status = statusByType.get(type);
      if (status === undefined) throw new Error(`spec documents no response for error type ${type}`);
      return build(status, type, problem.message, problem.retryAfterSeconds);
    },
    forStatus(status, message) {
      const type = typeByStatus.get(status);
      return type === undefined ? undefined : build(status, type, message);
    },
  };
}

/** `error.type`'s single enum value in a response's JSON schema, if it is an error response. */
export function lumixAIErrorTypeOf(doc: OpenApiDocument, responseRef: unknown): string | undefined {
  type Schema = { properties?: Record<string, Schema>; enum?: unknown[] };
  const response = deref<{ content?: Record<string, { schema?: unknown }> }>(doc, responseRef);
  const schema = response.content?.['application/json']?.schema;
  if (schema === undefined) return undefined;
  const body = deref<Schema>(doc, schema);
  const error = body.properties?.error ? deref<Schema>(doc, body.properties.error) : undefined;
  const type = error?.properties?.type ? deref<Schema>(doc, error.properties.type) : undefined;
  return type?.enum?.length === 1 && typeof type.enum[0] === 'string' ? type.enum[0] : undefined;
}
