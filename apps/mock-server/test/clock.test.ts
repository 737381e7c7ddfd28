import { afterEach, describe, expect, it, vi } from 'vitest';

import { SystemClock } from '../src/core/clock.js';

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
});
