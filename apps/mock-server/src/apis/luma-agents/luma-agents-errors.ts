import type { components } from './spec-types.js';

import type { CoreProblemKind, ErrorResponse, Problem, VendorErrorFormat } from '../../core/problems.js';
import type { OpenApiDocument } from '../../core/spec-document.js';
import type { RequestLimits } from './request-rules.js';
import { judgeIssues } from './request-rules.js';

/** Problems only Luma tells apart: a rejected combination or unreadable image (422), an image over the size limit (413). */
export const LUMA_AGENTS_PROBLEM_KINDS = ['unprocessable', 'payload_too_large'] as const;
export type LumaAgentsProblemKind = (typeof LUMA_AGENTS_PROBLEM_KINDS)[number];

type ResponseName = keyof components['responses'];

/**
 * The spec's response for each problem. Luma's error bodies are all `{ detail }` and carry no code:
 * the status is the identifier, so each problem names the response component whose status it gets.
 * The numbers themselves are read from where the spec uses each component.
 */
const RESPONSE_BY_PROBLEM = {
  validation: 'BadRequest',
  authentication: 'Unauthorized',
  insufficient_credits: 'PaymentRequired',
  permission_denied: 'Forbidden',
  not_found: 'NotFound',
  // No 405 is documented; an unknown method on a known path is a resource that does not exist.
  method_not_allowed: 'NotFound',
  rate_limited: 'TooManyRequests',
  // "Upstream service unavailable — retry with backoff": Luma's general retryable failure.
  unavailable: 'BadGateway',
  // No 500 is documented; the mock's own failures are answered as the retryable upstream error.
  internal: 'BadGateway',
  unprocessable: 'UnprocessableEntity',
  payload_too_large: 'PayloadTooLarge',
} as const satisfies Record<CoreProblemKind | LumaAgentsProblemKind, ResponseName>;

/** `{ "detail": "..." }` on the status the spec gives each response component. */
export function lumaAgentsErrorFormat(doc: OpenApiDocument, limits: RequestLimits): VendorErrorFormat<LumaAgentsProblemKind> {
  const statusByName = new Map<string, number>();
  const nameByStatus = new Map<number, string>();
  for (const path of Object.values(doc.paths)) {
    for (const operation of Object.values(path) as Array<{ responses?: Record<string, unknown> }>) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        const name = responseComponentName(response);
        if (name === undefined) continue;
        statusByName.set(name, Number(status));
        nameByStatus.set(Number(status), name);
      }
    }
  }
  for (const name of Object.values(RESPONSE_BY_PROBLEM)) {
    if (!statusByName.has(name)) throw new Error(`spec/luma-agents uses no response #/components/responses/${name}`);
  }

  const build = (status: number, detail: string, retryAfterSeconds?: number): ErrorResponse => ({
    status,
    body: { detail },
    headers: nameByStatus.get(status) === RESPONSE_BY_PROBLEM.rate_limited ? { 'Retry-After': String(retryAfterSeconds ?? 1) } : undefined,
  });
  const statusOf = (kind: keyof typeof RESPONSE_BY_PROBLEM) => statusByName.get(RESPONSE_BY_PROBLEM[kind])!;

  return {
    kinds: LUMA_AGENTS_PROBLEM_KINDS,
    render(problem: Problem<CoreProblemKind | LumaAgentsProblemKind>) {
      const kind = problem.kind;
      if (!(kind in RESPONSE_BY_PROBLEM)) throw new Error(`no Luma Agents response for problem kind ${kind}`);
      if (kind === 'validation' && !problem.mockControl) {
        if (problem.tooLarge) return build(statusOf('payload_too_large'), problem.message);
        if (problem.issues !== undefined && problem.issues.length > 0) {
          const verdict = judgeIssues(problem.issues, limits);
          return build(statusOf(verdict.kind), verdict.detail);
        }
      }
      return build(statusOf(kind), problem.message, problem.retryAfterSeconds);
    },
    forStatus(status, message) {
      return nameByStatus.has(status) ? build(status, message) : undefined;
    },
  };
}

/** `BadRequest` for `$ref: '#/components/responses/BadRequest'`; undefined for inline responses. */
function responseComponentName(response: unknown): string | undefined {
  const ref = (response as { $ref?: unknown } | null)?.$ref;
  return typeof ref === 'string' ? /^#\/components\/responses\/([^/]+)$/.exec(ref)?.[1] : undefined;
}
