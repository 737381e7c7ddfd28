import type { LumixAIErrorType } from './spec-types.js';

import type { CoreProblemKind, ErrorResponse, Problem, VendorErrorFormat } from '../../core/problems.js';
import type { OpenApiDocument } from '../../core/spec-document.js';
import { errorCodeStatuses, pinnedBodyValue } from '../../core/error-codes.js';

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
  rate_limited: 'rate_limit_error',
  unavailable: 'service_unavailable',
  // "Provider internals are normalized to service_unavailable for public callers."
  internal: 'service_unavailable',
  // LumixAI's own: the only vendor that documents idempotency keys.
  idempotency_conflict: 'idempotency_conflict',
} as const satisfies Record<CoreProblemKind | LumixAIProblemKind, LumixAIErrorType>;

/** The problems only LumixAI raises, beside the core ones. */
export type LumixAIProblemKind = 'idempotency_conflict';

/** `{ "error": { "type", "message" } }` on the status the spec gives each type. */
export function lumixAIErrorFormat(doc: OpenApiDocument): VendorErrorFormat<LumixAIProblemKind> {
  const { statusByCode: statusByType, codeByStatus: typeByStatus } = errorCodeStatuses(doc, lumixAIErrorTypeOf);

  const build = (status: number, type: string, message: string, retryAfterSeconds?: number): ErrorResponse => ({
    status,
    body: { error: { type, message } },
    headers: type === 'rate_limit_error' ? { 'Retry-After': String(retryAfterSeconds ?? 1) } : undefined,
  });

  return {
    kinds: ['idempotency_conflict'],
    render(problem: Problem<CoreProblemKind | LumixAIProblemKind>) {
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
  return pinnedBodyValue(doc, responseRef, ['error', 'type']);
}
