import type { LumozAIErrorCode } from './spec-types.js';

import { errorCodeStatuses, pinnedBodyValue } from '../../core/error-codes.js';
import type { CoreProblemKind, ErrorResponse, Problem, VendorErrorFormat } from '../../core/problems.js';
import { fieldMessages } from '../../core/problems.js';
import type { OpenApiDocument } from '../../core/spec-document.js';
import { laravelSummary, messageForIssue } from './validation-messages.js';

/**
 * LumozAI's code for each problem the mock detects. The status each code is sent with is not
 * written here: it is read from the spec's error responses.
 */
const CODE_BY_PROBLEM = {
  validation: 'validation_error',
  authentication: 'authentication_failed',
  // LumozAI documents no billing error; the mock never raises this for LumozAI.
  insufficient_credits: 'permission_denied',
  permission_denied: 'permission_denied',
  // The only documented 404. An unknown path or method gets it too, with a message that says so:
  // an undocumented code would break the envelope's closed list.
  not_found: 'model_not_found',
  method_not_allowed: 'model_not_found',
  rate_limited: 'rate_limit_exceeded',
  unavailable: 'internal_server_error',
  internal: 'internal_server_error',
} as const satisfies Record<CoreProblemKind, LumozAIErrorCode>;

/** `error.code`'s single enum value in a response's JSON schema, if it is an error response. */
export function lumozAIErrorCodeOf(doc: OpenApiDocument, responseRef: unknown): string | undefined {
  return pinnedBodyValue(doc, responseRef, ['error', 'code']);
}

/**
 * `{ "success": false, "error": { "code", "message", "details" } }` on the status the spec gives
 * each code. A `validation_error` always has `details` (field -> messages, in Laravel's words);
 * the other codes leave it out, as the documentation's table shows them without one.
 */
export function lumozAIErrorFormat(doc: OpenApiDocument): VendorErrorFormat {
  const { statusByCode, codeByStatus } = errorCodeStatuses(doc, lumozAIErrorCodeOf);

  const build = (status: number, code: string, message: string, details?: Record<string, string[]>): ErrorResponse => ({
    status,
    body: { success: false, error: { code, message, ...(details === undefined ? {} : { details }) } },
  });

  return {
    render(problem: Problem<CoreProblemKind>) {
      const code = CODE_BY_PROBLEM[problem.kind];
      const status = statusByCode.get(code);
      if (status === undefined) throw new Error(`spec documents no response for error code ${code}`);
      if (code !== 'validation_error') return build(status, code, problem.message);
      if (problem.issues !== undefined && problem.issues.length > 0) {
        const details = fieldMessages();
        for (const issue of problem.issues) {
          const { field, message } = messageForIssue(issue);
          const messages = (details[field] ??= []);
          // The validator may report one rule twice (e.g. once per oneOf branch); Laravel words it once.
          if (!messages.includes(message)) messages.push(message);
        }
        return build(status, code, laravelSummary(details), details);
      }
      // The mock's own checks already word their fields; the pipeline's (a body that is not JSON,
      // a bad Prefer header) say what is wrong in their message.
      return build(status, code, problem.message, problem.fields ?? fieldMessages([['request', problem.message]]));
    },
    forStatus(status, message) {
      const code = codeByStatus.get(status);
      if (code === undefined) return undefined;
      return build(status, code, message, code === 'validation_error' ? { Prefer: [message] } : undefined);
    },
  };
}
