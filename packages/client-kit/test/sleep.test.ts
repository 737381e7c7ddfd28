import { describe, expect, it } from 'vitest';
import { sleep } from '../src/sleep.js';

const pendingTimers = (): number => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

describe('sleep', () => {
  it('resolves after the delay', async () => {
    const startedAt = performance.now();
    await sleep(30);
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(25);
  });

  it('rejects at once with the reason when the signal has already aborted', async () => {
    const reason = new Error('already stopped');
    await expect(sleep(60_000, AbortSignal.abort(reason))).rejects.toBe(reason);
  });

  it('rejects promptly with the reason and clears its timer when aborted mid-sleep', async () => {
    const controller = new AbortController();
    const reason = new Error('stopped');
    const before = pendingTimers();
    const startedAt = performance.now();
    const sleeping = sleep(60_000, controller.signal);
    expect(pendingTimers()).toBe(before + 1);

    controller.abort(reason);

    await expect(sleeping).rejects.toBe(reason);
    expect(performance.now() - startedAt).toBeLessThan(1_000);
    expect(pendingTimers()).toBe(before);
  });
});
