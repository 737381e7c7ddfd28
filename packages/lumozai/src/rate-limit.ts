import type { components } from '@imagegen/spec/lumozai/types';

/** The rate-limit state an answer reports. */
export interface RateLimit {
  /** The most requests allowed per hour. */
  limit: number;
  /** Requests left in the current window. */
  remaining: number;
  /** When the current window resets, as a Unix timestamp in seconds. */
  reset: number;
}

/** The header each field of {@link RateLimit} is read from. */
export const RATE_LIMIT_HEADERS = {
  limit: 'X-RateLimit-Limit',
  remaining: 'X-RateLimit-Remaining',
  reset: 'X-RateLimit-Reset',
} as const satisfies Record<keyof RateLimit, keyof components['headers']>;

const NON_NEGATIVE_INTEGER = /^\d+$/;

/** The rate limit an answer reports, or `undefined` unless all three headers are non-negative integers. */
export function rateLimitFromHeaders(headers: Headers): RateLimit | undefined {
  const values: Partial<RateLimit> = {};
  for (const [field, header] of Object.entries(RATE_LIMIT_HEADERS) as [keyof RateLimit, string][]) {
    const value = headers.get(header)?.trim();
    if (value === undefined || !NON_NEGATIVE_INTEGER.test(value)) return undefined;
    values[field] = Number(value);
  }
  return values as RateLimit;
}

/** Milliseconds until `X-RateLimit-Reset` (0 once it has passed), or `undefined` when the header is absent or invalid. */
export function msUntilRateLimitReset(headers: Headers, nowMs: number): number | undefined {
  const reset = headers.get(RATE_LIMIT_HEADERS.reset)?.trim();
  if (reset === undefined || !NON_NEGATIVE_INTEGER.test(reset)) return undefined;
  return Math.max(0, Number(reset) * 1000 - nowMs);
}
