/**
 * One taxonomy over every vendor: what went wrong, in words a caller can branch on whichever API
 * answered. Each vendor's own code (`error.type`, `error.code`, `failure_code`, a numeric `code`)
 * stays on the error beside it.
 */
export const ERROR_KINDS = [
  /** The key is missing, wrong or revoked (401). */
  'authentication',
  /** The key is valid but may not do this: a scoped key, a suspended account (403). */
  'permission',
  /** The account cannot pay for the request (402). */
  'insufficient_credits',
  /** Too many requests or no free capacity (429); `retryAfterMs` is the wait the server asked for. */
  'rate_limited',
  /** The request itself is wrong (400, 409, 413, 422): fix it before sending it again. */
  'validation',
  /** The prompt or an input image was refused by moderation, at submission or while the job ran. */
  'content_moderated',
  /** The job, model or endpoint does not exist (404). */
  'not_found',
  /** The vendor or its provider failed (5xx). */
  'upstream',
  /** The job ran and ended failed; `vendorCode` holds the vendor's reason when it gave one. */
  'job_failed',
  /** Waiting ran out of time; the job may still finish, and `handle` resumes it. */
  'timeout',
  /** The caller aborted; a submitted job goes on, and `handle` resumes it. */
  'aborted',
  /** The request got no answer (refused connection, unknown host, dropped connection); `url` names it. */
  'network',
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

// A registry symbol, so errors from another copy of this package (two versions in one install)
// are still recognised where `instanceof` would fail.
const CLIENT_ERROR_BRAND = Symbol.for('@imagegen/client-kit/ClientError');

/** What every {@link ClientError} says about itself, whichever class it is. */
export interface ClientErrorInit {
  /** The taxonomy kind. Required. */
  kind: ErrorKind;
  /** Whether sending the same request again may succeed without changing it. Default: `false`. */
  retryable?: boolean | undefined;
  /**
   * Whether the request may already have done what it asked (a job created and billed) although
   * no success was seen. When `true`, do not submit again blindly: resume from `handle`, or use an
   * idempotency key. Default: `false`.
   */
  mayHaveTakenEffect?: boolean | undefined;
  /** The vendor's slug (`lumixai`, `lumen`, ...), when the error came from one. Default: `undefined`. */
  vendor?: string | undefined;
  /** The serialised job handle of the job concerned, when one exists. Default: `undefined`. */
  handle?: string | undefined;
  /** The underlying error. Default: none. */
  cause?: unknown;
}

/**
 * The base of every error the clients throw about a request or a job: API answers
 * (`ApiError`), failed jobs, time-outs, aborts, network failures, refused downloads.
 */
export class ClientError extends Error {
  /** What went wrong, in the shared taxonomy. */
  readonly kind: ErrorKind;
  /** Whether the same request, sent again unchanged, may succeed. */
  readonly retryable: boolean;
  /** Whether the request may already have taken effect (e.g. created a paid job) although it failed. */
  readonly mayHaveTakenEffect: boolean;
  /** The vendor's slug, when known. */
  readonly vendor: string | undefined;
  /** The serialised handle of the job concerned (pass it to `jobs.wait`), when there is one. */
  readonly handle: string | undefined;

  constructor(message: string, init: ClientErrorInit) {
    super(message, 'cause' in init ? { cause: init.cause } : undefined);
    this.name = new.target.name;
    this.kind = init.kind;
    this.retryable = init.retryable ?? false;
    this.mayHaveTakenEffect = init.mayHaveTakenEffect ?? false;
    this.vendor = init.vendor;
    this.handle = init.handle;
    Object.defineProperty(this, CLIENT_ERROR_BRAND, { value: true });
  }
}

/** Whether `error` is a {@link ClientError} (any kind, any class), even from another copy of this package. */
export function isClientError(error: unknown): error is ClientError {
  return (
    error instanceof ClientError ||
    (typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[CLIENT_ERROR_BRAND] === true)
  );
}

/**
 * The kind an HTTP status means when the vendor's body says nothing more specific. Vendors refine
 * it (useapi.net's 422 is moderation; its 596 is an account session error).
 */
export function errorKindOfStatus(status: number): ErrorKind {
  switch (status) {
    case 401:
      return 'authentication';
    case 402:
      return 'insufficient_credits';
    case 403:
      return 'permission';
    case 404:
      return 'not_found';
    case 429:
      return 'rate_limited';
    default:
      return status >= 500 ? 'upstream' : 'validation';
  }
}

/**
 * Whether an answer of this status may have changed something on the server. A 4xx refused the
 * request before doing anything; a 5xx to a request that creates something (POST, PUT, PATCH,
 * DELETE) may have come after the job was created, so it is not known.
 */
export function statusMayHaveTakenEffect(status: number, method: string | undefined): boolean {
  if (status < 500) return false;
  return method === undefined || !SAFE_METHODS.has(method.toUpperCase());
}

/** Methods that change nothing on the server (RFC 9110 §9.2.1). */
export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);
