import { fullJitterDelay } from './backoff.js';
import { parseRetryAfter } from './retry-after.js';
import type { Sleep } from './sleep.js';
import { sleep as defaultSleep } from './sleep.js';

// Safe to repeat by definition (RFC 9110 §9.2.2); anything else may create a second billed job.
const IDEMPOTENT_METHODS = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'] as const;

// Retrying these cannot succeed and, for 402/409, may charge or conflict again.
const NEVER_RETRIED_STATUSES = [400, 401, 402, 403, 409] as const;

/** What {@link RetryingFetchOptions.onRetry} is told before each wait. */
export interface RetryInfo {
  /** The attempt that just failed, 1 for the original request; the next request is `attempt + 1`. */
  attempt: number;
  /** How long it will wait before the next attempt, in ms. */
  delayMs: number;
  /** Whether the attempt got a retryable status or failed at the network level. */
  reason: 'status' | 'network';
  /** The retryable status, when `reason` is `'status'`. */
  status?: number;
  /** The network error, when `reason` is `'network'`. */
  error?: unknown;
  /** The request being retried. Do not read its body: it is needed for the next attempt. */
  request: Request;
}

/** What {@link RetryingFetchOptions.shouldRetry} decides on: one attempt that did not succeed. */
export interface RetryDecision {
  /** The request that failed. Do not read its body: it is needed for the next attempt. */
  request: Request;
  /** The attempt that just failed, 1 for the original request. */
  attempt: number;
  /** The answer, or `undefined` when the attempt failed at the network level. */
  response: Response | undefined;
  /** The network error, when `response` is `undefined`. */
  error?: unknown;
  /** Whether the failure is transient: a network error, or a status in `retryOnStatus`. */
  transient: boolean;
  /** Whether the request is safe to repeat: an idempotent method, or it carries the idempotency header. */
  repeatable: boolean;
}

/** Options of {@link createRetryingFetch}. */
export interface RetryingFetchOptions {
  /** Most requests sent for one call, counting the first. Default: `4`. */
  maxAttempts?: number;
  /**
   * Statuses that are retried. Default: `[429, 503]`.
   * Throws a `TypeError` if it contains 400, 401, 402, 403 or 409.
   */
  retryOnStatus?: readonly number[];
  /** Ceiling of the first backoff delay, in ms; doubles per retry. Default: `500`. */
  baseDelayMs?: number;
  /** Upper bound of a backoff delay, in ms. Default: `30_000`. */
  maxDelayMs?: number;
  /** A `Retry-After` longer than this returns the response instead of waiting, in ms. Default: `120_000`. */
  maxRetryAfterMs?: number;
  /**
   * Methods whose requests are repeated after a transient failure, like ky's `retry.methods`; a
   * request of another method is repeated only when it carries `idempotencyHeader`.
   * Default: `['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']`.
   */
  methods?: readonly string[];
  /**
   * Header whose presence makes a request of another method (a POST) retryable; `false` for a
   * vendor that honours none, so no header a caller adds can make a POST repeat.
   * Default: `'Idempotency-Key'`.
   */
  idempotencyHeader?: string | false;
  /** Uniform random number in [0, 1) used for jitter. Default: `Math.random`. */
  random?: () => number;
  /** Waits between attempts. Default: {@link defaultSleep | sleep}. */
  sleep?: Sleep;
  /** Current time in ms, used to read an HTTP-date `Retry-After`. Default: `Date.now`. */
  now?: () => number;
  /** Called before each wait, e.g. for logging. Default: none. */
  onRetry?: (info: RetryInfo) => void;
  /**
   * Decides whether a failed attempt is retried, for APIs whose safe-to-repeat rule is not the
   * HTTP method (a POST that only reads; a POST that may be repeated after an answer proving it did
   * nothing). Called for network errors and for statuses of 400 and above or in `retryOnStatus`,
   * except on the last attempt, after an abort, and for 400, 401, 402, 403 and 409, which are never
   * retried.
   * Default: `({ transient, repeatable }) => transient && repeatable`.
   */
  shouldRetry?: (decision: RetryDecision) => boolean;
  /**
   * How long a response asks the caller to wait before retrying, in ms, or `undefined` to back off
   * with jitter instead. A delay above `maxRetryAfterMs` returns the response instead of waiting.
   * Default: the `Retry-After` header, read by {@link parseRetryAfter}.
   */
  delayFromResponse?: (response: Response, nowMs: number) => number | undefined;
}

/**
 * Wraps `fetch` so that transient failures (statuses in `retryOnStatus`, network errors) are retried.
 *
 * By default only requests that are safe to repeat are retried: those of `methods` (GET, HEAD,
 * OPTIONS, PUT and DELETE), or any request carrying the idempotency header. A POST without that header is sent exactly once,
 * so a retry can never create a second billed job; `shouldRetry` replaces that rule for APIs that
 * know better. The last response is returned as-is, never thrown.
 */
export function createRetryingFetch(fetchImpl: typeof fetch, options: RetryingFetchOptions = {}): typeof fetch {
  const {
    maxAttempts = 4,
    retryOnStatus = [429, 503],
    baseDelayMs = 500,
    maxDelayMs = 30_000,
    maxRetryAfterMs = 120_000,
    methods = IDEMPOTENT_METHODS,
    idempotencyHeader = 'Idempotency-Key',
    random = Math.random,
    sleep = defaultSleep,
    now = Date.now,
    onRetry,
    shouldRetry,
    delayFromResponse = defaultDelayFromResponse,
  } = options;

  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new TypeError(`maxAttempts must be an integer >= 1, got ${maxAttempts}`);
  }
  const forbidden = NEVER_RETRIED_STATUSES.filter((status) => retryOnStatus.includes(status));
  if (forbidden.length > 0) {
    throw new TypeError(`retryOnStatus must not contain ${forbidden.join(', ')}: those statuses are never retried`);
  }
  const retryable = new Set(retryOnStatus);
  const repeatableMethods = new Set(methods.map((method) => method.toUpperCase()));
  const neverRetried = new Set<number>(NEVER_RETRIED_STATUSES);
  const decide = shouldRetry ?? (({ transient, repeatable }: RetryDecision) => transient && repeatable);
  const backoff = (attempt: number): number => fullJitterDelay(attempt - 1, { baseDelayMs, maxDelayMs, random });

  return async function retryingFetch(input, init) {
    // A Request body can be read once: build it once and send a clone per attempt.
    const request = new Request(input, init);
    const repeatable =
      repeatableMethods.has(request.method.toUpperCase()) ||
      (idempotencyHeader !== false && request.headers.has(idempotencyHeader));
    // Without a hook nothing else is ever retried: send it once, without buffering a copy of its body.
    if (maxAttempts === 1 || (!repeatable && shouldRetry === undefined)) return fetchImpl(request);

    for (let attempt = 1; ; attempt++) {
      const isLastAttempt = attempt === maxAttempts;
      // The last attempt may consume the original, which frees the buffered copy of the body.
      const outgoing = isLastAttempt ? request : request.clone();
      let response: Response | undefined;
      let networkError: unknown;
      try {
        response = await fetchImpl(outgoing);
      } catch (error) {
        if (isLastAttempt || request.signal.aborted || isAbortError(error)) throw error;
        if (!decide({ request, attempt, response: undefined, error, transient: true, repeatable })) throw error;
        networkError = error;
      }

      let info: RetryInfo;
      if (response === undefined) {
        info = { attempt, delayMs: backoff(attempt), reason: 'network', error: networkError, request };
      } else {
        const { status } = response;
        const failed = status >= 400 || retryable.has(status);
        if (isLastAttempt || !failed || neverRetried.has(status)) return response;
        if (!decide({ request, attempt, response, transient: retryable.has(status), repeatable })) return response;

        const retryAfterMs = delayFromResponse(response, now());
        if (retryAfterMs !== undefined && retryAfterMs > maxRetryAfterMs) return response;

        // An unread body holds its connection until garbage-collected; release it now.
        response.body?.cancel().catch(() => undefined);
        const delayMs = retryAfterMs ?? backoff(attempt);
        info = { attempt, delayMs, reason: 'status', status: response.status, request };
      }
      onRetry?.(info);
      await sleep(info.delayMs, request.signal);
    }
  };
}

function defaultDelayFromResponse(response: Response, nowMs: number): number | undefined {
  return parseRetryAfter(response.headers.get('retry-after'), nowMs);
}

// An abort is the caller's decision, not a transient failure, whichever signal caused it.
function isAbortError(error: unknown): boolean {
  const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
  return name === 'AbortError' || name === 'TimeoutError';
}
