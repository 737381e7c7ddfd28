import type { Request, Response } from 'express';

import type { Principal } from '../api-keys.js';
import { problem } from '../problems.js';
import type { RateLimiter } from '../rate-limiter.js';
import type { MountableApi } from '../vendor-api.js';

/**
 * Counts one request of an operation that declares security against the API's window, as
 * authentication meets it (so a 401 carries the vendor's headers too); throws the rate-limit
 * problem past the limit.
 */
export type RequestCounter = (req: Request, res: Response, principal: Principal | undefined) => void;

/**
 * Rate limit: a key's own bucket, or, for a request without a valid key, one bucket per client
 * address (when the API counts those). Sets the API's headers on every counted answer.
 */
export function requestCounter(api: MountableApi, rateLimiter: RateLimiter): RequestCounter {
  const policy = api.rateLimit;
  if (!policy) return () => undefined;
  return (req, res, principal) => {
    const limit = principal ? policy.limitOf(principal, req.mock!.operation!) : policy.unauthenticatedLimit;
    // A key without a limit is counted only so the API's headers can describe it.
    if (limit === undefined && (!principal || !policy.headers)) return;
    // The socket's address, never X-Forwarded-For: a client could pick its own bucket.
    const bucket = principal ? `${api.slug}\u0000${principal.key}` : `${api.slug}\u0001${req.socket.remoteAddress ?? ''}`;
    const decision = rateLimiter.take(bucket, limit ?? Number.MAX_SAFE_INTEGER, policy.windowMs);
    if (policy.headers) res.set(policy.headers(decision));
    if (!decision.allowed) {
      const who = principal ? '' : ' for requests without a valid API key from this address';
      throw problem('rate_limited', `Rate limit of ${decision.limit} requests per ${describeWindow(policy.windowMs)}${who} exceeded; retry in ${decision.retryAfterSeconds} s`, {
        retryAfterSeconds: decision.retryAfterSeconds,
      });
    }
  };
}

/** `60_000` -> `minute`, `3_600_000` -> `hour`, else seconds. Default window: a minute. */
function describeWindow(windowMs = 60_000): string {
  if (windowMs === 60_000) return 'minute';
  if (windowMs === 3_600_000) return 'hour';
  return `${windowMs / 1000} s`;
}
