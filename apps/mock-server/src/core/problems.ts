import type { Operation } from './operations.js';

/**
 * What went wrong with a request, in the mock server's own vocabulary. Each vendor renders these
 * in its documented error format and status code; the shared pipeline never writes an error body.
 *
 * The pipeline itself raises only these kinds; a vendor adds its own (moderation, capacity,
 * session errors...) by naming them in its {@link VendorErrorFormat}, without changing this list.
 */
export const CORE_PROBLEM_KINDS = [
  'validation',
  'authentication',
  'insufficient_credits',
  'permission_denied',
  'not_found',
  'method_not_allowed',
  'rate_limited',
  'unavailable',
  'internal',
] as const;

export type CoreProblemKind = (typeof CORE_PROBLEM_KINDS)[number];

/** Where a request value lives, as express-openapi-validator names it. */
export type ValidationLocation = 'body' | 'path' | 'query' | 'headers' | 'request';

/**
 * One failed check of the request against the spec, kept raw so each vendor can word it the way
 * its own documentation does ("Parameter model (x) valid values: a, b", "The model_id field is
 * required.", "aspectRatio: must be one of ...").
 */
export interface ValidationIssue {
  location: ValidationLocation;
  /** The offending field as a path below `location`: `['references', 0, 'image']`; empty for the whole body. */
  path: Array<string | number>;
  /** `path` written out: `references[0].image`, or `body` when it is empty. */
  field: string;
  /**
   * The JSON Schema keyword that failed (`required`, `enum`, `maxLength`, `additionalProperties`...), when
   * known; `mediaType` for a body whose Content-Type the operation does not take (`allowed` lists those it does).
   */
  keyword: string | undefined;
  /** The validator's own message (`must be equal to one of the allowed values: a, b`). */
  message: string;
  /** The value the client sent at `path`; undefined when the field is missing. */
  value?: unknown;
  /** The values the schema allows, for `enum` failures; the media types, for `mediaType`. */
  allowed?: string[];
}

export interface Problem<TKind extends string = string> {
  kind: TKind;
  /** Human-readable, naming the offending field or header where there is one. */
  message: string;
  /**
   * Field-level messages (`{ model_id: ['The model_id field is required.'] }`), for vendors whose
   * envelope carries them. A map without a prototype: a field may be called `toString`.
   */
  fields?: Record<string, string[]>;
  /** The raw validation failures behind a `validation` problem raised by the pipeline. */
  issues?: ValidationIssue[];
  /** A vendor code chosen by the handler, for vendors whose envelope carries one beside the kind. */
  code?: string;
  /**
   * Set by the pipeline on the `validation` problem of a body over the size limit, so a vendor that
   * documents a 413 can answer it; every other vendor answers its invalid-request error. Kept apart
   * from `code`, which is always one of the vendor's own codes.
   */
  tooLarge?: boolean;
  /** Seconds until a retry can succeed, for `rate_limited` and `unavailable`. */
  retryAfterSeconds?: number;
  /**
   * Raised by the mock's own controls (a bad `Prefer` header), not by the vendor's rules: answered in
   * the vendor's format even on an operation whose spec documents no such status.
   */
  mockControl?: boolean;
  /** Methods the path does allow, for `method_not_allowed`. */
  allow?: string[];
  /**
   * For `authentication`: what was wrong with the credential, for vendors that give each case its
   * own code (`missing_api_key`, `invalid_api_key`, `revoked_api_key`).
   */
  credential?: 'missing' | 'invalid' | 'revoked';
}

export interface ErrorResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/**
 * How one vendor writes its errors. `TKind` lists the vendor's own problem kinds beside the core
 * ones; rendering an unknown kind is a bug in the mock and answers as `internal`.
 */
export interface VendorErrorFormat<TKind extends string = never> {
  /** The kinds this vendor renders beyond {@link CoreProblemKind}. */
  readonly kinds?: readonly TKind[];
  /**
   * The documented response for a problem the mock detected. `operation` is the one the request
   * matched, if any, for vendors whose body for a status differs by operation.
   */
  render(problem: Problem<CoreProblemKind | TKind>, operation?: Operation): ErrorResponse;
  /**
   * The documented error response for a status code, used for `Prefer: code=<status>`; undefined
   * when the vendor documents no error body for it. `operation` is the one asked, for vendors whose
   * error body for a status differs by operation (Lumen's 404: `model_not_found` or `task_not_found`).
   */
  forStatus(status: number, message: string, operation: Operation): ErrorResponse | undefined;
}

/** Thrown by handlers to answer with a vendor-formatted error. */
export class ProblemError<TKind extends string = string> extends Error {
  constructor(readonly problem: Problem<TKind>) {
    super(problem.message);
    this.name = 'ProblemError';
  }
}

export function problem<TKind extends string = CoreProblemKind>(
  kind: TKind,
  message: string,
  extra: Omit<Problem, 'kind' | 'message'> = {},
): ProblemError<TKind> {
  return new ProblemError({ kind, message, ...extra });
}

/** A field -> messages map that any field name, `__proto__` and `toString` included, can key. */
export function fieldMessages(entries: Iterable<readonly [string, string]> = []): Record<string, string[]> {
  const fields = Object.create(null) as Record<string, string[]>;
  for (const [field, message] of entries) (fields[field] ??= []).push(message);
  return fields;
}
