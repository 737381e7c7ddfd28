import { afterEach, describe, expect, it, vi } from 'vitest';

import { ClosableClock, ManualClock, SystemClock } from '../src/core/clock.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('SystemClock.sleepUntil', () => {
  it.each([
    { name: 'a time already passed', offsetMs: -5, timers: 0 },
    { name: 'now', offsetMs: 0, timers: 0 },
    { name: 'a time still ahead', offsetMs: 20, timers: 1 },
  ])('$name arms $timers timer(s)', async ({ offsetMs, timers }) => {
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    const clock = new SystemClock();
    const at = clock.now() + offsetMs;
    await clock.sleepUntil(at);
    expect(clock.now()).toBeGreaterThanOrEqual(at);
    // A timer for a past time would cost ~1 ms per request that waits on a settled job.
    expect(setTimeoutSpy).toHaveBeenCalledTimes(timers);
  });

  it('rejects with the reason when aborted first, and clears its timer', async () => {
    const clearSpy = vi.spyOn(globalThis, 'clearTimeout');
    const abort = new AbortController();
    const sleeping = new SystemClock().sleepUntil(Date.now() + 60_000, abort.signal);
    abort.abort(new Error('client went away'));
    await expect(sleeping).rejects.toThrow('client went away');
    expect(clearSpy).toHaveBeenCalledTimes(1);
  });

  it('waits in steps past the longest setTimeout delay instead of firing at once', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      let woke = false;
      const clock = new SystemClock();
      void clock.sleepUntil(Date.now() + 30 * 24 * 3600_000).then(() => (woke = true));
      await vi.advanceTimersByTimeAsync(2 ** 31);
      expect(woke).toBe(false);
      await vi.advanceTimersByTimeAsync(30 * 24 * 3600_000);
      expect(woke).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('ClosableClock', () => {
  it('ends its housekeeping sleeps on close and passes the others through untouched', async () => {
    const inner = new ManualClock(0);
    const clock = new ClosableClock(inner);
    const housekeeping = clock.sleepUntil(100, undefined, { housekeeping: true });
    const request = clock.sleepUntil(100);
    expect(inner.pendingSleeps).toBe(1);
    clock.close();
    await expect(housekeeping).rejects.toThrow('closed');
    await expect(clock.sleepUntil(50, undefined, { housekeeping: true })).rejects.toThrow('closed');
    inner.advance(100);
    await expect(request).resolves.toBeUndefined();
  });
});
