import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../src/retry-after.js';

const NOW = Date.parse('1994-11-06T08:49:00Z');

describe('parseRetryAfter', () => {
  it.each([
    { value: '0', expected: 0 },
    { value: '120', expected: 120_000 },
    { value: ' 5 ', expected: 5_000 },
    { value: 'Sun, 06 Nov 1994 08:49:37 GMT', expected: 37_000 },
    { value: 'Sunday, 06-Nov-94 08:49:37 GMT', expected: 37_000 },
    { value: 'Sun Nov  6 08:49:37 1994', expected: 37_000 },
    { value: '1994-11-06T08:49:37Z', expected: 37_000 },
    { value: 'Sun, 06 Nov 1994 08:48:00 GMT', expected: 0 },
    { value: 'Sun, 06 Nov 1994 08:49:00 GMT', expected: 0 },
  ])('reads $value as $expected ms', ({ value, expected }) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });

  it.each([null, undefined, '', '   ', '1.5', '-1', '+5', '1e3', 'soon', 'foo 12', '1 2 3', 'Sun, 99 Foo 1994 25:61:00 GMT'])(
    'rejects %j',
    (value) => {
      expect(parseRetryAfter(value, NOW)).toBeUndefined();
    },
  );
});
