import type { components } from './spec-types.js';

import type { CoreProblemKind, ErrorResponse, Problem, ValidationIssue, VendorErrorFormat } from '../../core/problems.js';
import type { OpenApiDocument } from '../../core/spec-document.js';
import { deref } from '../../core/spec-document.js';

/** Problems of useapi.net's own beside the core ones. */
export const USEAPI_LUMA_PROBLEM_KINDS = ['moderation', 'capacity', 'session_error', 'job_not_terminal'] as const;
export type UseapiLumaProblemKind = (typeof USEAPI_LUMA_PROBLEM_KINDS)[number];

type ResponseName = keyof components['responses'];

/**
 * The spec's response each problem is answered with. Its status and whether its body carries a
 * numeric `code` are read from the spec, never written here.
 */
const RESPONSE_BY_PROBLEM = {
  validation: 'ImagesValidationError',
  authentication: 'Unauthorized',
  insufficient_credits: 'PaymentRequired',
  permission_denied: 'JobOfAnotherUser',
  not_found: 'JobNotFound',
  // useapi.net documents no 405: an unknown method on a known path is a resource that is not there.
  method_not_allowed: 'JobNotFound',
  // No request-rate limit is documented; the documented 429 is the capacity one.
  rate_limited: 'AllAccountsAtCapacity',
  // The only server-side failure the page documents is the account's session error.
  unavailable: 'SessionError',
  internal: 'SessionError',
  moderation: 'ModerationRejected',
  capacity: 'AllAccountsAtCapacity',
  session_error: 'SessionError',
  job_not_terminal: 'JobNotTerminal',
} as const satisfies Record<CoreProblemKind | UseapiLumaProblemKind, ResponseName>;

interface Documented {
  status: number;
  /** The numeric `code` the body schema pins, for the moderation 422 and the capacity 429. */
  code: number | undefined;
}

/** useapi.net's `{ "error": "..." }` (plus `code` where the spec pins one), on the status the spec gives each response. */
export function useapiLumaErrorFormat(doc: OpenApiDocument): VendorErrorFormat<UseapiLumaProblemKind> {
  const byName = new Map<string, Documented>();
  const byStatus = new Map<number, Documented>();
  for (const path of Object.values(doc.paths)) {
    for (const operation of Object.values(path) as Array<{ responses?: Record<string, unknown> }>) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        const name = /^#\/components\/responses\/(.+)$/.exec((response as { $ref?: string }).$ref ?? '')?.[1];
        if (name === undefined || Number(status) < 400) continue;
        const documented = { status: Number(status), code: useapiLumaErrorCodeOf(doc, response) };
        const known = byName.get(name);
        if (known && known.status !== documented.status) throw new Error(`spec/useapi-luma answers ${name} with ${known.status} and ${status}`);
        byName.set(name, documented);
        byStatus.set(documented.status, documented);
      }
    }
  }
  const validParameters = Object.keys(deref<{ properties?: object }>(doc, doc.components?.schemas?.ImagesRequest).properties ?? {});

  const build = ({ status, code }: Documented, message: string): ErrorResponse => ({
    status,
    body: code === undefined ? { error: message } : { error: message, code },
  });

  return {
    kinds: USEAPI_LUMA_PROBLEM_KINDS,
    render(found: Problem<CoreProblemKind | UseapiLumaProblemKind>) {
      const name = RESPONSE_BY_PROBLEM[found.kind];
      const documented = byName.get(name);
      if (documented === undefined) throw new Error(`spec/useapi-luma documents no status for ${name}`);
      const message =
        found.kind === 'validation' && found.issues?.length
          ? validationMessage(found.issues, validParameters)
          : // The page's one word, whatever was wrong with the token (missing, unknown, revoked).
            found.kind === 'authentication'
            ? 'Unauthorized'
            : found.message;
      return build(documented, message);
    },
    forStatus(status, message) {
      const documented = byStatus.get(status);
      return documented === undefined ? undefined : build(documented, message);
    },
  };
}

/** The numeric `code` a documented error response's body schema pins (a single-value enum), if any. */
export function useapiLumaErrorCodeOf(doc: OpenApiDocument, responseRef: unknown): number | undefined {
  type Schema = { properties?: Record<string, unknown>; enum?: unknown[] };
  const response = deref<{ content?: Record<string, { schema?: unknown }> }>(doc, responseRef);
  const schema = response.content?.['application/json']?.schema;
  if (schema === undefined) return undefined;
  const code = deref<Schema | undefined>(doc, deref<Schema>(doc, schema).properties?.code);
  return code?.enum?.length === 1 && typeof code.enum[0] === 'number' ? code.enum[0] : undefined;
}

/**
 * Validation failures worded as the page words them: `Parameter model (invalid-model) valid values:
 * photon-v2, image-v2`, naming the parameter, the value sent and what is allowed.
 */
export function validationMessage(issues: readonly ValidationIssue[], validParameters: readonly string[]): string {
  return [...new Set(issues.map((issue) => issueMessage(issue, validParameters)))].join('; ');
}

function issueMessage(issue: ValidationIssue, validParameters: readonly string[]): string {
  if (issue.location === 'path' && issue.field === 'jobid') return 'Invalid jobid';
  if (issue.location === 'headers' && issue.keyword === 'mediaType') {
    // The Upload Assets page's own wording for a type it does not take.
    return `Content-Type (${issue.value === undefined || issue.value === '' ? 'none' : String(issue.value)}) not supported. Valid: ${(issue.allowed ?? []).join(', ')}`;
  }
  if (issue.keyword === 'required') {
    const name = /required property '([^']+)'/.exec(issue.message)?.[1] ?? issue.field;
    return name === 'body' ? 'Request body is required' : `Parameter ${name} is required`;
  }
  if (issue.location === 'body' && issue.path.length === 0) return `Request body${issue.value === undefined ? '' : ` (${shown(issue.value)})`} ${issue.message}`;
  const name = issue.field;
  if (issue.keyword === 'additionalProperties') {
    const extra = /additional propert(?:y|ies)[^']*'([^']+)'/.exec(issue.message)?.[1] ?? name;
    return `Parameter ${extra} is not supported. Valid parameters: ${validParameters.join(', ')}`;
  }
  const value = issue.value === undefined ? '' : ` (${shown(issue.value)})`;
  if (issue.keyword === 'enum' && issue.allowed) return `Parameter ${name}${value} valid values: ${issue.allowed.join(', ')}`;
  if (issue.keyword === 'pattern' && /^imageRef[1-4]$/.test(name)) {
    return `Parameter ${name}${value} is not an assetRef (u<user>-email:<email>:<uuid>, from POST /assets/{email})`;
  }
  const format = issue.keyword === 'format' ? /format "([^"]+)"/.exec(issue.message)?.[1] : undefined;
  if (format !== undefined) return `Parameter ${name}${value} must be ${FORMAT_NOUNS[format] ?? `in ${format} format`}`;
  return `Parameter ${name}${value} ${issue.message}`;
}

const FORMAT_NOUNS: Record<string, string> = { email: 'an email address', uri: 'an absolute URL', 'date-time': 'an ISO 8601 date and time' };

/** The value as sent, shortened so a 5000-character prompt does not fill the message. */
function shown(value: unknown): string {
  const text = value === '' ? '""' : typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}... (${text.length} characters)` : text;
}
