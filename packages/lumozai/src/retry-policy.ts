import { parseRetryAfter } from '@imagegen/client-kit';
import type { RetryingFetchOptions } from '@imagegen/client-kit';

import type { paths } from '@imagegen/spec/lumozai/types';
import { msUntilRateLimitReset } from './rate-limit.js';

const RUN_PATH = '/run' satisfies keyof paths;
const CHECK_PATH = '/check' satisfies keyof paths;

/** The `createRetryingFetch` hooks that fit LumozAI, whose two operations are both POSTs. */
export type LumozAIRetryPolicy = Required<Pick<RetryingFetchOptions, 'shouldRetry' | 'delayFromResponse'>>;

/**
 * Which LumozAI requests may be repeated, and how long a 429 asks to wait.
 *
 * - `POST /check` only reads, so it is retried like a GET (network errors and `retryOnStatus`), and
 *   after the `500 internal_server_error` its table documents too: a poll that failed on the server
 *   changed nothing, and giving up would lose the run the caller paid for (the conformance suite's
 *   `poll-5xx`).
 * - `POST /run` has no documented idempotency: once it may have started a run (a network error, a
 *   5xx) it is not repeated. A 429 started nothing, so that one is retried.
 * - Anything else (output downloads) follows the default rule.
 *
 * A 429 without `Retry-After` waits until `X-RateLimit-Reset`; beyond `maxRetryAfterMs` the 429 is
 * returned instead, since the hourly window may be far off.
 */
export function lumozAIRetryPolicy(baseUrl: string): LumozAIRetryPolicy {
  const base = baseUrl.replace(/\/+$/, '');
  const runUrl = new URL(base + RUN_PATH).href;
  const checkUrl = new URL(base + CHECK_PATH).href;
  return {
    shouldRetry({ request, response, transient, repeatable }) {
      const url = request.url.split(/[?#]/)[0];
      if (url === checkUrl) return transient || response?.status === 500;
      if (url === runUrl) return transient && response?.status === 429;
      return transient && repeatable;
    },
    delayFromResponse(response, nowMs) {
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), nowMs);
      if (retryAfterMs !== undefined || response.status !== 429) return retryAfterMs;
      return msUntilRateLimitReset(response.headers, nowMs);
    },
  };
}
