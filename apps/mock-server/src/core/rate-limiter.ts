import type { Clock } from './clock.js';
import { ExpiringMap } from './expiring-map.js';

/** Where a key stands in its current window; vendors that document rate-limit headers print it. */
export interface RateLimitState {
  limit: number;
  remaining: number;
  /** Epoch ms at which the window resets. */
  resetAt: number;
}

export type RateLimitDecision = (RateLimitState & { allowed: true }) | (RateLimitState & { allowed: false; retryAfterSeconds: number });

/**
 * Fixed-window counter per key. A fixed window is what most vendors' "requests per minute" and
 * "X-RateLimit-Reset" describe, and it makes Retry-After exact. Each caller brings its own window
 * length (LumixAI counts per minute, LumozAI per hour).
 */
export class RateLimiter {
  // A window is forgotten once it is over, so callers counted per client address never pile up.
  #windows: ExpiringMap<string, { resetAt: number; count: number; limit: number }>;

  constructor(private readonly clock: Clock) {
    this.#windows = new ExpiringMap(clock, (window) => window.resetAt);
  }

  /** Counts one request for `key` against `limit` per window of `windowMs` (default: one minute). */
  take(key: string, limit: number, windowMs = 60_000): RateLimitDecision {
    const now = this.clock.now();
    let window = this.#windows.get(key);
    if (!window) {
      window = { resetAt: now + windowMs, count: 0, limit };
      this.#windows.set(key, window);
    }
    window.limit = limit;
    const resetAt = window.resetAt;
    if (window.count >= limit) {
      return { allowed: false, limit, remaining: 0, resetAt, retryAfterSeconds: Math.max(1, Math.ceil((resetAt - now) / 1000)) };
    }
    window.count += 1;
    return { allowed: true, limit, remaining: limit - window.count, resetAt };
  }

  /** The windows still open whose key starts with `prefix`, for inspection: where each key stands. */
  *windows(prefix: string): IterableIterator<{ key: string } & RateLimitState> {
    for (const [key, window] of this.#windows.entries()) {
      if (key.startsWith(prefix) && window.resetAt > this.clock.now()) {
        yield { key, limit: window.limit, remaining: Math.max(0, window.limit - window.count), resetAt: window.resetAt };
      }
    }
  }

  reset(): void {
    this.#windows.clear();
  }
}
