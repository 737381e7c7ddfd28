import type { Request, Response } from 'express';

import { readCredential } from '../api-keys.js';
import type { Principal } from '../api-keys.js';
import type { Operation } from '../operations.js';
import { problem } from '../problems.js';
import type { RateLimitState, RateLimiter } from '../rate-limiter.js';
import type { MountableApi } from '../vendor-api.js';

/**
 * Counts one request of an operation that declares security against the API's window, as
 * authentication meets it (so a 401 carries the vendor's headers too); throws the rate-limit
 * problem past the limit.
 */
export type RequestCounter = (req: Request, res: Response, principal: Principal | undefined, operation?: Operation) => void;

/** The counter, and what counts an error answer the pipeline gave before the request was counted. */
export interface RequestCounting {
  count: RequestCounter;
  /**
   * For an API whose limit headers are on every answer (it counts requests without a valid key):
   * an error raised before the request was counted (an unknown path or method, a bad Prefer, a
   * malformed path) is counted now, by its key where it has a valid one, so it carries them too.
   */
  countAnswer(req: Request, res: Response): void;
}

/**
 * Rate limit: a key's own bucket, or, for a request without a valid key, one bucket per client
 * address (when the API counts those). Sets the API's headers on every counted answer.
 */
export function requestCounter(api: MountableApi, rateLimiter: RateLimiter, operations: readonly Operation[]): RequestCounting {
  const policy = api.rateLimit;
  if (!policy) return { count: () => undefined, countAnswer: () => undefined };
  // Marked on the request's context, which has the field from the start (false): a property only
  // some requests got gave the code every request goes through two shapes to read (about 3 us more
  // per rate-limited GET when tried on the request itself), and a WeakSet cost an insert each.
  const count: RequestCounter = (req, res, principal, operation = req.mock!.operation!) => {
    if (req.mock !== undefined) req.mock.rateCounted = true;
    const limit = principal ? policy.limitOf(principal, operation) : policy.unauthenticatedLimit;
    // A key without a limit is counted only so the API's headers can describe it.
    if (limit === undefined && (!principal || !policy.headers)) return;
    // The socket's address, never X-Forwarded-For: a client could pick its own bucket.
    const bucket = principal ? `${api.slug}${BY_KEY}${principal.key}` : `${api.slug}${BY_ADDRESS}${req.socket.remoteAddress ?? ''}`;
    const decision = rateLimiter.take(bucket, limit ?? Number.MAX_SAFE_INTEGER, policy.windowMs);
    if (policy.headers) res.set(policy.headers(decision));
    if (!decision.allowed) {
      const who = principal ? '' : ' for requests without a valid API key from this address';
      throw problem('rate_limited', `Rate limit of ${decision.limit} requests per ${describeWindow(policy.windowMs)}${who} exceeded; retry in ${decision.retryAfterSeconds} s`, {
        retryAfterSeconds: decision.retryAfterSeconds,
      });
    }
  };
  const countAnswer = (req: Request, res: Response) => {
    if (!policy.headers || policy.unauthenticatedLimit === undefined || req.mock?.rateCounted) return;
    const operation = req.mock?.operation ?? operations[0];
    if (operation === undefined) return;
    const credential = readCredential(req.headers, operation.security);
    const principal = credential === undefined ? undefined : api.keys.lookup(credential);
    try {
      // The operation only tells a key's limit (one window per key); nothing else reads it here.
      count(req, res, principal && !principal.revoked ? principal : undefined, operation);
    } catch {
      // Over the limit: the headers say so; the error already being answered is kept.
    }
  };
  return { count, countAnswer };
}

const BY_KEY = '\u0000';
const BY_ADDRESS = '\u0001';

/** One open rate-limit window of an API: a key's, or a client address's for requests without a valid key. */
export interface RateWindow extends RateLimitState {
  /** The key (raw: mask it before showing it), or undefined for an address's window. */
  key?: string;
  /** The client address, for requests without a valid key. */
  address?: string;
}

/** The open windows of one API's keys and addresses, as its requests were counted. */
export function rateWindowsOf(rateLimiter: RateLimiter, slug: string): RateWindow[] {
  return [...rateLimiter.windows(slug)].flatMap(({ key: bucket, ...state }): RateWindow[] => {
    const rest = bucket.slice(slug.length + 1);
    if (bucket.charAt(slug.length) === BY_KEY) return [{ key: rest, ...state }];
    if (bucket.charAt(slug.length) === BY_ADDRESS) return [{ address: rest, ...state }];
    return [];
  });
}

/** `60_000` -> `minute`, `3_600_000` -> `hour`, else seconds. Default window: a minute. */
function describeWindow(windowMs = 60_000): string {
  if (windowMs === 60_000) return 'minute';
  if (windowMs === 3_600_000) return 'hour';
  return `${windowMs / 1000} s`;
}
