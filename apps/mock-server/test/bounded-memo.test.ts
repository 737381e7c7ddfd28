// core/bounded-memo.ts: remembers a pure function's results per argument, within a bound, and never
// a call that threw.
import { describe, expect, it } from 'vitest';

import { boundedMemo } from '../src/core/bounded-memo.js';
import { isoTime } from '../src/core/iso-time.js';
import { maskSecret } from '../src/core/secrets.js';

/** A memo of `String(n * 2)` over `capacity`, and how many times it computed. */
function counted(capacity: number, remember?: (n: number) => boolean) {
  let computed = 0;
  const memo = boundedMemo((n: number) => {
    computed++;
    if (n < 0) throw new RangeError(`negative: ${n}`);
    return n === 0 ? undefined : String(n * 2);
  }, capacity, remember);
  return { memo, computed: () => computed };
}

describe('boundedMemo', () => {
  it.each([
    // [name, capacity, calls, results, computations]
    ['the same argument computes once', 4, [1, 1, 1], ['2', '2', '2'], 1],
    ['distinct arguments each compute', 4, [1, 2, 3], ['2', '4', '6'], 3],
    ['an undefined result is remembered too', 4, [0, 0], [undefined, undefined], 1],
    ['past the capacity it starts over', 2, [1, 2, 3, 1, 2], ['2', '4', '6', '2', '4'], 5],
    ['within the capacity nothing is forgotten', 3, [1, 2, 3, 1, 2, 3], ['2', '4', '6', '2', '4', '6'], 3],
  ] as const)('%s', (_name, capacity, calls, results, computations) => {
    const { memo, computed } = counted(capacity);
    expect(calls.map((n) => memo(n))).toEqual(results);
    expect(computed()).toBe(computations);
  });

  it('a call that throws is not remembered: it throws again, and computes again', () => {
    const { memo, computed } = counted(4);
    expect(() => memo(-1)).toThrow('negative: -1');
    expect(() => memo(-1)).toThrow('negative: -1');
    expect(computed()).toBe(2);
  });

  it('arguments `remember` refuses are computed every time', () => {
    const { memo, computed } = counted(4, (n) => n < 100);
    expect([memo(500), memo(500), memo(5), memo(5)]).toEqual(['1000', '1000', '10', '10']);
    expect(computed()).toBe(3);
  });
});

describe('its uses give what the unremembered functions give', () => {
  it.each([0, 1, Date.UTC(2026, 11, 6, 17, 30, 5, 123), -86_400_000, 8.64e15])('isoTime(%d)', (ms) => {
    for (let i = 0; i < 2; i++) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
  });

  it('isoTime of a time out of range throws, every time, as toISOString does', () => {
    for (let i = 0; i < 2; i++) expect(() => isoTime(8.64e15 + 1)).toThrow(RangeError);
  });

  it.each([
    ['air_live_team_a_0123', 'air_…23'],
    ['Bearer air_live_team_a_0123', 'Bearer air_…23'],
    ['short', '…'],
    ['x'.repeat(300), 'xxxx…xx'],
  ])('maskSecret(%j), twice', (secret, masked) => {
    expect(maskSecret(secret)).toBe(masked);
    expect(maskSecret(secret)).toBe(masked);
  });
});
