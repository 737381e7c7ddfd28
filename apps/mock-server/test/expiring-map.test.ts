import { describe, expect, it } from 'vitest';

import { ClosableClock, ManualClock } from '../src/core/clock.js';
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
    // One look at the oldest entry per write (the first arms the sweep instead): a full scan every
    // 1000 writes would make ~50,000.
    expect(checks()).toBeLessThanOrEqual(10_000);
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

  // Issue 15 row 13: an idle server kept 100,000 expired jobs until the next create.
  it('forgets expired entries without another write, as the clock passes their expiry', async () => {
    const { clock, entries } = map();
    for (let i = 0; i < 5; i++) entries.set(`k${i}`, { until: 100 + i * 10 });
    clock.advance(125);
    await Promise.resolve();
    expect(entries.size).toBe(2);
    clock.advance(1000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(entries.size).toBe(0);
    // The sweep is housekeeping: a test waiting for a request's own sleep does not see it.
    entries.set('again', { until: 5000 });
    expect(clock.pendingSleeps).toBe(0);
  });

  it("stops sweeping on clear() and when the server's clock is closed", async () => {
    const inner = new ManualClock(0);
    const clock = new ClosableClock(inner);
    const entries = new ExpiringMap<string, { until: number }>(clock, (value) => value.until);
    entries.set('a', { until: 100 });
    clock.close();
    await Promise.resolve();
    inner.advance(200);
    await Promise.resolve();
    // No sweep ran after close: the entry is only hidden from reads.
    expect(entries.size).toBe(1);
    expect(entries.get('a')).toBeUndefined();
  });
});
