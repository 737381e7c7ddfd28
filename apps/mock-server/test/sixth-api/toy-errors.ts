import type { CoreProblemKind, ErrorResponse, Problem, VendorErrorFormat } from '../../src/core/problems.js';

/** The toy's status per problem; it documents no 403, 405 or 503. */
const STATUS_BY_KIND: Partial<Record<CoreProblemKind, number>> = {
  validation: 400,
  authentication: 401,
  insufficient_credits: 402,
  not_found: 404,
  method_not_allowed: 404,
  rate_limited: 429,
};

/** `{ "error": { "kind", "message" } }`. */
export const toyErrors: VendorErrorFormat = {
  render(problem: Problem<CoreProblemKind>): ErrorResponse {
    const status = STATUS_BY_KIND[problem.kind];
    if (status === undefined) throw new Error(`the toy documents no answer for ${problem.kind}`);
    return { status, body: { error: { kind: problem.kind, message: problem.message } } };
  },
  forStatus: (status, message) => {
    const kind = Object.entries(STATUS_BY_KIND).find(([, s]) => s === status)?.[0];
    return kind === undefined ? undefined : { status, body: { error: { kind, message } } };
  },
};
