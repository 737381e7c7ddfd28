import { ClientError, SAFE_METHODS } from './error-kind.js';

// Failures before any byte of the request left: the server cannot have acted on it.
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_INVALID_URL',
]);

/** Constructor options of {@link NetworkError}. */
export interface NetworkErrorOptions {
  /** The request's method. Required. */
  method: string;
  /** The URL that got no answer; only origin and path are kept. Required. */
  url: string | URL;
  /** What fetch threw. Required. */
  cause: unknown;
  /** Whether the request carried an idempotency key the vendor honours. Default: `false`. */
  idempotent?: boolean | undefined;
  /** The vendor's slug. Default: `undefined`. */
  vendor?: string | undefined;
}

/**
 * A request that got no answer: the connection was refused, the host does not resolve, or the
 * connection closed before the answer. The message names the URL and the likely cause (`fetch`
 * itself only says `fetch failed`). `mayHaveTakenEffect` is `false` only when the request cannot
 * have reached the server (refused, unknown host) or could not change anything (a GET).
 */
export class NetworkError extends ClientError {
  /** Method of the request. */
  readonly method: string;
  /** The URL without its query string (a presigned URL's query is its credential). */
  readonly url: string;
  /** The system error code underneath (`ECONNREFUSED`, `ENOTFOUND`, `UND_ERR_SOCKET`...), when there is one. */
  readonly code: string | undefined;

  constructor(options: NetworkErrorOptions) {
    const url = redact(options.url);
    const code = systemCodeOf(options.cause);
    const method = options.method.toUpperCase();
    const notSent = code !== undefined && NOT_SENT_CODES.has(code);
    const mayHaveTakenEffect = !notSent && !SAFE_METHODS.has(method);
    super(`${method} ${url} got no answer: ${likelyCause(code, options.url, options.cause)}`, {
      kind: 'network',
      retryable: !mayHaveTakenEffect || options.idempotent === true,
      mayHaveTakenEffect,
      vendor: options.vendor,
      cause: options.cause,
    });
    this.method = method;
    this.url = url;
    this.code = code;
  }
}

/** Options of {@link withNetworkErrors}. */
export interface WithNetworkErrorsOptions {
  /** The vendor's slug, set on every error. Default: `undefined`. */
  vendor?: string | undefined;
  /** Header whose presence makes a request safe to repeat. Default: none. */
  idempotencyHeader?: string | undefined;
}

/**
 * Wraps `fetch` so that a request that gets no answer rejects with a {@link NetworkError} naming
 * the method and URL, instead of a bare `TypeError: fetch failed`. Aborts are passed through as
 * they are: they are the caller's decision.
 */
export function withNetworkErrors(fetchImpl: typeof fetch, options: WithNetworkErrorsOptions = {}): typeof fetch {
  return async (input, init) => {
    try {
      return await fetchImpl(input, init);
    } catch (error) {
      if (isAbort(error) || error instanceof ClientError) throw error;
      const request = input instanceof Request ? input : undefined;
      const method = init?.method ?? request?.method ?? 'GET';
      const url = request?.url ?? String(input);
      const headers = new Headers(init?.headers ?? request?.headers);
      throw new NetworkError({
        method,
        url,
        cause: error,
        vendor: options.vendor,
        idempotent: options.idempotencyHeader !== undefined && headers.has(options.idempotencyHeader),
      });
    }
  };
}

function likelyCause(code: string | undefined, url: string | URL, cause: unknown): string {
  let origin = '';
  let host = '';
  try {
    const parsed = new URL(url);
    origin = parsed.origin;
    host = parsed.hostname;
  } catch {
    // described below by the cause's own message
  }
  switch (code) {
    case 'ECONNREFUSED':
      return `connection refused (${code}): nothing listens at ${origin}; is the server (or the mock: imagegen-mock) running there, and is baseUrl right?`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `the host ${host} does not resolve (${code}); check baseUrl`;
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
      return `${host} is unreachable (${code})`;
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `connecting to ${origin} timed out (${code})`;
    case undefined:
      return messageOf(cause);
    default:
      return `the connection failed before an answer (${code}): ${messageOf(cause)}`;
  }
}

/** undici puts the system error in `cause` (sometimes nested, sometimes an AggregateError of addresses). */
function systemCodeOf(error: unknown, depth = 0): string | undefined {
  if (typeof error !== 'object' || error === null || depth > 4) return undefined;
  const record = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof record.code === 'string') return record.code;
  if (Array.isArray(record.errors)) {
    for (const inner of record.errors) {
      const code = systemCodeOf(inner, depth + 1);
      if (code !== undefined) return code;
    }
  }
  return systemCodeOf(record.cause, depth + 1);
}

function messageOf(error: unknown): string {
  const cause = typeof error === 'object' && error !== null ? (error as { cause?: unknown }).cause : undefined;
  const own = error instanceof Error ? error.message : String(error);
  return cause instanceof Error && cause.message !== '' ? `${own} (${cause.message})` : own;
}

function redact(url: string | URL): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return String(url).split(/[?#]/)[0] ?? '';
  }
}

function isAbort(error: unknown): boolean {
  const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
  return name === 'AbortError' || name === 'TimeoutError';
}
