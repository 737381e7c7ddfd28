/** Inputs of {@link fullJitterDelay}. */
export interface FullJitterOptions {
  /** Ceiling of the first delay (attempt 0), in ms. */
  baseDelayMs: number;
  /** Upper bound of any delay, in ms. */
  maxDelayMs: number;
  /** Uniform random number in [0, 1), e.g. `Math.random`. */
  random: () => number;
}

/**
 * AWS "full jitter" backoff: a uniformly random delay between 0 and
 * `min(maxDelayMs, baseDelayMs * 2 ** attempt)`.
 *
 * Spreading retries over the whole window (rather than adding a little jitter to a fixed delay)
 * keeps many clients that failed together from retrying together.
 *
 * @param attempt - Zero-based retry number: 0 for the first retry.
 */
export function fullJitterDelay(attempt: number, { baseDelayMs, maxDelayMs, random }: FullJitterOptions): number {
  return random() * Math.min(maxDelayMs, baseDelayMs * 2 ** attempt);
}
