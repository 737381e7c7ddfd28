import type { ErrorKind } from './error-kind.js';
import { ClientError, errorKindOfStatus, statusMayHaveTakenEffect } from './error-kind.js';
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
  /** The taxonomy kind. Default: the one `status` means (`errorKindOfStatus`). */
  kind?: ErrorKind | undefined;
  /** Method of the failed request; decides whether a 5xx may have taken effect. Default: unknown (treated as a POST). */
  method?: string | undefined;
  /** Whether the request carried an idempotency key the vendor honours, so repeating it is safe. Default: `false`. */
  idempotent?: boolean | undefined;
  /** The vendor's slug. Default: `undefined`. */
  vendor?: string | undefined;
  /** Whether the request may have taken effect. Default: only for a 5xx to a request that is not a read. */
  mayHaveTakenEffect?: boolean | undefined;
}

/**
 * A non-2xx response from a vendor API.
 *
 * Vendor clients subclass it with their own code type, e.g.
 * `class LumixAIError extends ApiError<LumixAIErrorType> {}` or, for a vendor whose bodies carry a
 * numeric code, `class VendorError extends ApiError<number> {}`; `name` follows the subclass.
 */
export class ApiError<TCode extends string | number = string> extends ClientError {
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
    const kind = options.kind ?? errorKindOfStatus(options.status);
    const mayHaveTakenEffect = options.mayHaveTakenEffect ?? statusMayHaveTakenEffect(options.status, options.method);
    super(options.message, {
      kind,
      // A 429 asks for a wait, not a change; a 5xx is worth repeating when repeating cannot bill twice.
      retryable: kind === 'rate_limited' || (kind === 'upstream' && (!mayHaveTakenEffect || options.idempotent === true)),
      mayHaveTakenEffect,
      vendor: options.vendor,
      ...('cause' in options ? { cause: options.cause } : {}),
    });
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

/**
 * A human-readable message from an error body in a shape the vendor does not document, such as a
 * proxy's or a mock's routing answer: `{ error: "..." }`, `{ error: { message } }`, `{ detail }`,
 * `{ message }` or plain text. Kept so the server's own words (`No API is mounted at ...; GET /
 * lists them`) reach the caller instead of a generic "without an error envelope".
 */
export function messageFromBody(body: unknown): string | undefined {
  if (typeof body === 'string') {
    const text = body.trim();
    // An HTML error page says nothing readable in one line.
    return text === '' || text.startsWith('<') ? undefined : text.slice(0, 500);
  }
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as Record<string, unknown>;
  for (const value of [record.error, record.detail, record.message]) {
    if (typeof value === 'string' && value.trim() !== '') return value;
    if (typeof value === 'object' && value !== null) {
      const nested = (value as Record<string, unknown>).message;
      if (typeof nested === 'string' && nested.trim() !== '') return nested;
    }
  }
  return undefined;
}

/** `<vendor> answered HTTP <status>: <what the body said>`, for answers outside the vendor's error format. */
export function unexpectedAnswerMessage(vendorName: string, status: number, body: unknown, expected: string): string {
  const said = messageFromBody(body);
  return said === undefined
    ? `${vendorName} answered HTTP ${status} without ${expected}`
    : `${vendorName} answered HTTP ${status}: ${said}`;
}
