import { parseRetryAfter } from './retry-after.js';

// A registry symbol, so errors from another copy of this package (two versions in one install)
// are still recognised where `instanceof` would fail.
const API_ERROR_BRAND = Symbol.for('@imagegen/client-kit/ApiError');

/** Constructor options of {@link ApiError}. */
export interface ApiErrorOptions<TCode extends string | number = string> {
  /** HTTP status of the failed response. Required. */
  status: number;
  /**
   * The vendor's machine-readable error code: a string (LumixAI `error.type`) or a number
   * (useapi.net's `code`). Default: `undefined`.
   */
  code?: TCode | undefined;
  /** Human-readable message. Required. */
  message: string;
  /** The response body: parsed JSON, or the text when it was not JSON. Default: `undefined`. */
  body?: unknown;
  /** The response headers (copied). Default: no headers. */
  headers?: HeadersInit | undefined;
  /** The vendor's request id. Default: the `x-request-id` header, else the `request-id` header, else `undefined`. */
  requestId?: string | undefined;
  /** How long the server asked the caller to wait. Default: parsed from the `Retry-After` header when the error is constructed. */
  retryAfterMs?: number | undefined;
  /** The underlying error. Default: none. */
  cause?: unknown;
}

/**
 * A non-2xx response from a vendor API.
 *
 * Vendor clients subclass it with their own code type, e.g.
 * `class LumixAIError extends ApiError<LumixAIErrorType> {}` or, for a vendor whose bodies carry a
 * numeric code, `class VendorError extends ApiError<number> {}`; `name` follows the subclass.
 */
export class ApiError<TCode extends string | number = string> extends Error {
  /** HTTP status of the failed response. */
  readonly status: number;
  /** The vendor's machine-readable error code, when the body carried one. */
  readonly code: TCode | undefined;
  /** The response body: parsed JSON, or the text when it was not JSON. */
  readonly body: unknown;
  /** The response headers. */
  readonly headers: Headers;
  /** How long the server asked the caller to wait before retrying, when it said. */
  readonly retryAfterMs: number | undefined;
  /** The vendor's request id, for support tickets. */
  readonly requestId?: string;

  constructor(options: ApiErrorOptions<TCode>) {
    super(options.message, 'cause' in options ? { cause: options.cause } : undefined);
    this.name = new.target.name;
    this.status = options.status;
    this.code = options.code;
    this.body = options.body;
    this.headers = new Headers(options.headers);
    this.retryAfterMs =
      'retryAfterMs' in options ? options.retryAfterMs : parseRetryAfter(this.headers.get('retry-after'), Date.now());
    const requestId = options.requestId ?? this.headers.get('x-request-id') ?? this.headers.get('request-id');
    if (requestId != null) this.requestId = requestId;
    Object.defineProperty(this, API_ERROR_BRAND, { value: true });
  }
}

/** Whether `error` is an {@link ApiError} (or a vendor subclass), even from another copy of this package. */
export function isApiError(error: unknown): error is ApiError<string | number> {
  return (
    error instanceof ApiError ||
    (typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[API_ERROR_BRAND] === true)
  );
}
