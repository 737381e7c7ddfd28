import type { LumenErrorCode } from './spec-types.js';

import type { Operation } from '../../core/operations.js';
import type { CoreProblemKind, ErrorResponse, Problem, VendorErrorFormat } from '../../core/problems.js';
import type { OpenApiDocument } from '../../core/spec-document.js';
import { deref } from '../../core/spec-document.js';
import { allowedBodyValues, errorCodeStatuses } from '../../core/error-codes.js';

/**
 * The code for each problem the mock detects, where the kind alone decides it. The status each code
 * is sent with is not written here: it is read from the spec's error responses.
 */
const CODE_BY_PROBLEM = {
  validation: 'invalid_request',
  authentication: 'invalid_api_key',
  insufficient_credits: 'insufficient_credits',
  // A key limited to some models sees no other: the documented "no such image model in this group".
  permission_denied: 'model_not_found',
  // Lumen documents no answer for a path or method it does not have; OpenAI-style gateways answer
  // it as an invalid request, with 404 (see `render`). A task not found is the handler's own code.
  not_found: 'invalid_request',
  method_not_allowed: 'invalid_request',
  rate_limited: 'upstream_rate_limited',
  unavailable: 'upstream_error',
  internal: 'upstream_error',
} as const satisfies Record<CoreProblemKind, LumenErrorCode>;

const CODE_BY_CREDENTIAL = {
  missing: 'missing_api_key',
  invalid: 'invalid_api_key',
  revoked: 'revoked_api_key',
} as const satisfies Record<NonNullable<Problem['credential']>, LumenErrorCode>;

/**
 * `{ "error": { "code", "message" } }`, the shape the page gives a failed task, on the status the
 * spec gives each code. A handler picks a code of its own with `problem(kind, message, { code })`
 * (`model_not_found`, `model_cannot_inpaint`).
 */
export function lumenErrorFormat(doc: OpenApiDocument): VendorErrorFormat {
  const { statusByCode } = errorCodeStatuses(doc, lumenErrorCodesOf);

  const build = (status: number, code: string, message: string, retryAfterSeconds?: number): ErrorResponse => ({
    status,
    body: { error: { code, message } },
    // Like every 429 of the five specs, it always says when to come back (spec/STYLE.md).
    headers: code === 'upstream_rate_limited' ? { 'Retry-After': String(retryAfterSeconds ?? 1) } : undefined,
  });

  const alternatives = requiredAlternatives(doc);

  return {
    render(problem: Problem<CoreProblemKind>, operation?: Operation) {
      const message = problem.kind === 'validation' && problem.issues ? describeIssues(problem, alternatives) : problem.message;
      if ((problem.kind === 'not_found' || problem.kind === 'method_not_allowed') && problem.code === undefined) {
        // On an operation, its own 404 (task_not_found); elsewhere a path Lumen does not have.
        const documented = operation?.responses['404'];
        return build(404, (documented && lumenErrorCodeOf(doc, documented)) ?? CODE_BY_PROBLEM[problem.kind], message);
      }
      const code = problem.code ?? codeOf(problem);
      const status = statusByCode.get(code);
      if (status === undefined) throw new Error(`spec/lumen documents no response with error code ${code}`);
      return build(status, code, message, problem.retryAfterSeconds);
    },
    forStatus(status: number, message: string, operation: Operation) {
      const response = operation.responses[String(status)];
      const code = response === undefined ? undefined : lumenErrorCodeOf(doc, response);
      return code === undefined ? undefined : build(status, code, message);
    },
  };
}

/**
 * Every field list of an `anyOf` of `required` alternatives in the spec's schemas (edits and
 * inpainting: `image_urls` or `image`), so a request with neither is told so in one sentence.
 */
function requiredAlternatives(doc: OpenApiDocument): string[][] {
  type Node = { anyOf?: Array<{ required?: string[] }>; allOf?: Node[] };
  const found = new Map<string, string[]>();
  const visit = (node: Node) => {
    const lists = node.anyOf?.map((branch) => branch.required ?? []);
    if (lists && lists.every((list) => list.length === 1)) found.set(lists.flat().join(), lists.flat());
    node.allOf?.forEach(visit);
  };
  for (const schema of Object.values(doc.components?.schemas ?? {})) visit(schema as Node);
  return [...found.values()];
}

/** The pipeline's message, with an unmet `anyOf` of required fields said once instead of field by field. */
function describeIssues(problem: Problem, alternatives: string[][]): string {
  const issues = problem.issues ?? [];
  const missing = new Set(issues.filter((issue) => issue.keyword === 'required').map((issue) => issue.field));
  const unmet = issues.some((issue) => issue.keyword === 'anyOf') ? alternatives.filter((fields) => fields.every((field) => missing.has(field))) : [];
  if (unmet.length === 0) return problem.message;
  const covered = new Set(unmet.flat());
  return [
    ...unmet.map((fields) => `${fields.join(' or ')}: one of them is required`),
    ...issues.filter((issue) => issue.keyword !== 'anyOf' && !(issue.keyword === 'required' && covered.has(issue.field))).map((issue) => `${issue.field}: ${issue.message}`),
  ].join('; ');
}

function codeOf(problem: Problem<CoreProblemKind>): LumenErrorCode {
  if (problem.kind === 'authentication' && problem.credential) return CODE_BY_CREDENTIAL[problem.credential];
  // The spec's only `dependentRequired` is webhook_url -> webhook_secret, which has its own code.
  if (problem.kind === 'validation' && problem.issues?.some((issue) => issue.keyword === 'dependentRequired')) return 'webhook_secret_required';
  return CODE_BY_PROBLEM[problem.kind];
}

type ResponseObject = { content?: Record<string, { examples?: Record<string, unknown>; example?: unknown }> };

/** Every `error.code` a response's JSON schema allows, in the order the spec lists them. */
export function lumenErrorCodesOf(doc: OpenApiDocument, responseRef: unknown): string[] {
  return allowedBodyValues(doc, responseRef, ['error', 'code']);
}

/**
 * The code an error response stands for when nothing more specific is known: the one in its first
 * example (what Prism serves, and what `Prefer: code=<status>` answers), else its first allowed
 * code; undefined when it is not an error response.
 */
export function lumenErrorCodeOf(doc: OpenApiDocument, responseRef: unknown): string | undefined {
  const codes = lumenErrorCodesOf(doc, responseRef);
  if (codes.length === 0) return undefined;
  const media = deref<ResponseObject>(doc, responseRef).content?.['application/json'];
  const first = media?.example ?? Object.values(media?.examples ?? {}).map((example) => deref<{ value?: unknown }>(doc, example).value)[0];
  const exampleCode = (first as { error?: { code?: unknown } } | undefined)?.error?.code;
  return typeof exampleCode === 'string' && codes.includes(exampleCode) ? exampleCode : codes[0];
}
