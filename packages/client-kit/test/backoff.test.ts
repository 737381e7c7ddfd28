import { describe, expect, it } from 'vitest';
import { fullJitterDelay } from '../src/backoff.js';

describe('fullJitterDelay', () => {
  it.each([
    { attempt: 0, random: 1, expected: 500 },
    { attempt: 1, random: 1, expected: 1_000 },
    { attempt: 3, random: 1, expected: 4_000 },
    { attempt: 6, random: 1, expected: 30_000 },
    { attempt: 2000, random: 1, expected: 30_000 },
    { attempt: 2, random: 0.5, expected: 1_000 },
    { attempt: 2, random: 0, expected: 0 },
  ])('attempt $attempt with random() = $random waits $expected ms', ({ attempt, random, expected }) => {
    expect(fullJitterDelay(attempt, { baseDelayMs: 500, maxDelayMs: 30_000, random: () => random })).toBe(expected);
  });
});
