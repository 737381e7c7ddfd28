import type { Middleware } from 'openapi-fetch';

import { IDEMPOTENT_POST_PATHS } from './types.js';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

/**
 * Gives every job-creating POST an idempotency key unless the caller chose one. The retrying fetch
 * below this middleware only retries a POST that carries the key, so a retry after a lost response
 * returns the original job instead of billing a second one.
 */
export function idempotencyKeyMiddleware(newKey: () => string): Middleware {
  const paths: readonly string[] = IDEMPOTENT_POST_PATHS;
  return {
    onRequest({ request, schemaPath }) {
      if (request.method === 'POST' && paths.includes(schemaPath) && !request.headers.has(IDEMPOTENCY_HEADER)) {
        request.headers.set(IDEMPOTENCY_HEADER, newKey());
      }
      return request;
    },
  };
}
