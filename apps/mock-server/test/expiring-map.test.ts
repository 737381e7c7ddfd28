import { describe, expect, it } from 'vitest';

import { ManualClock } from '../src/core/clock.js';
import { ExpiringMap } from '../src/core/expiring-map.js';

function map() {
  const clock = new ManualClock(0);
  let checks = 0;
  const entries = new ExpiringMap<string, { until: number }>(clock, (value) => {
    checks += 1;
    return value.until;
  });
  return { clock, entries, checks: () => checks };
}

describe('ExpiringMap', () => {
  it.each([
    { at: 99, expected: { until: 100 } },
    { at: 100, expected: undefined },
  ])('get() at $at ms of an entry expiring at 100 ms', ({ at, expected }) => {
    const { clock, entries } = map();
    entries.set('a', { until: 100 });
    clock.advance(at);
    expect(entries.get('a')).toEqual(expected);
  });

  it('a write forgets the expired entries from the oldest end, and stops at the first live one', () => {
    const { clock, entries } = map();
    for (let i = 0; i < 5; i++) entries.set(`k${i}`, { until: 100 + i * 10 });
    clock.advance(125);
    entries.set('new', { until: 1000 });
    expect(entries.size).toBe(3); // k0, k1, k2 gone; k3, k4 and new kept
    expect([entries.get('k3'), entries.get('k4')]).toEqual([{ until: 130 }, { until: 140 }]);
  });

  it('costs O(1) per write while nothing expires, however many entries are live', () => {
    const { entries, checks } = map();
    for (let i = 0; i < 10_000; i++) entries.set(`k${i}`, { until: 1_000_000 });
    // One look at the oldest entry per write: a full scan every 1000 writes would make ~50,000.
    expect(checks()).toBeLessThan(10_000);
    expect(entries.size).toBe(10_000);
  });

  it('an entry expiring before an older one is hidden from reads and swept once the older one goes', () => {
    const { clock, entries } = map();
    entries.set('long', { until: 500 });
    entries.set('short', { until: 100 });
    clock.advance(200);
    entries.set('x', { until: 10_000 });
    expect(entries.size).toBe(3);
    expect(entries.get('short')).toBeUndefined();
    clock.advance(300);
    entries.set('y', { until: 10_000 });
    expect(entries.size).toBe(2);
  });

  it('setting a key again makes it the newest entry', () => {
    const { clock, entries } = map();
    entries.set('a', { until: 100 });
    entries.set('b', { until: 100 });
    entries.set('a', { until: 300 });
    clock.advance(150);
    entries.set('c', { until: 400 });
    expect([entries.get('a'), entries.get('b'), entries.size]).toEqual([{ until: 300 }, undefined, 2]);
  });
});
