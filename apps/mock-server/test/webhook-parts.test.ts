// The webhook dispatcher's parts on their own (webhooks.test.ts drives them together over HTTP):
// the backoff, the record of deliveries and who waits on them.
import { describe, expect, it } from 'vitest';

import { ManualClock } from '../src/core/clock.js';
import { DeliveryLog } from '../src/core/webhook-log.js';
import { backoffMs } from '../src/core/webhook-retry.js';
import { DeliveryWaiters } from '../src/core/webhook-waiters.js';

describe('backoffMs: doubling from baseDelayMs, capped at maxDelayMs, less the jitter', () => {
  const settings = { baseDelayMs: 1000, maxDelayMs: 5000, jitter: 0.5 };
  it.each([
    [1, 0, 1000],
    [2, 0, 2000],
    [3, 0, 4000],
    [4, 0, 5000],
    [10, 0, 5000],
    [2, 0.999_999, 1000],
    [3, 0.5, 3000],
  ])('after attempt %i with random() = %d: %i ms', (attempt, random, expected) => {
    expect(backoffMs(attempt, { ...settings, random: () => random })).toBe(expected);
  });

  it('without jitter, random() is ignored', () => {
    expect(backoffMs(2, { ...settings, jitter: 0, random: () => 0.9 })).toBe(2000);
  });
});

describe('DeliveryLog', () => {
  const request = { api: 'lumen', url: 'http://127.0.0.1:9/hook', payload: { a: 1 } };

  it('keeps the serialized payload, not the caller’s object, and never reuses an id after clear()', () => {
    const log = new DeliveryLog(new ManualClock(5), { maxKept: 10, maxAgeMs: 1000 });
    const payload = { a: 1 };
    const first = log.add({ ...request, payload }, JSON.stringify(payload));
    payload.a = 2;
    expect(first).toMatchObject({ id: 'wh_1', payload: { a: 1 }, status: 'pending', createdAt: 5 });
    expect(first.rawBody.toString()).toBe('{"a":1}');
    log.clear();
    expect(log.holds(first), 'forgotten by clear()').toBe(false);
    const second = log.add(request, '{}');
    expect([second.id, log.holds(second), log.list().length]).toEqual(['wh_2', true, 1]);
  });

  it('drops settled records past maxKept, oldest first, and pending ones never', () => {
    const log = new DeliveryLog(new ManualClock(0), { maxKept: 1, maxAgeMs: 1000 });
    const [a, b, c] = [log.add(request, '1'), log.add(request, '2'), log.add(request, '3')];
    for (const record of [a, b]) {
      record.status = 'delivered';
      record.settledAt = 0;
      log.settled(record);
    }
    expect(log.list().map((d) => d.id)).toEqual([b.id, c.id]);
  });
});

describe('DeliveryWaiters', () => {
  const delivery = (id: string, status: 'pending' | 'delivered') => ({ id, status }) as never;

  it('answers at once from what is kept, else with the first matching delivery to settle', async () => {
    const waiters = new DeliveryWaiters();
    await expect(waiters.waitFor([delivery('wh_1', 'delivered')], () => true)).resolves.toMatchObject({ id: 'wh_1' });
    const later = waiters.waitFor([delivery('wh_2', 'pending')], (d) => d.id === 'wh_2');
    waiters.notify(delivery('wh_2', 'pending'));
    waiters.notify(delivery('wh_3', 'delivered'));
    waiters.notify(delivery('wh_2', 'delivered'));
    await expect(later).resolves.toMatchObject({ id: 'wh_2', status: 'delivered' });
  });

  it('rejects on rejectAll and on abort; quiet and settled waiters wake only when told nothing is busy', async () => {
    const waiters = new DeliveryWaiters();
    const reset = waiters.waitFor([], () => true);
    const abort = new AbortController();
    const aborted = waiters.waitFor([], () => true, abort.signal);
    abort.abort(new Error('gave up'));
    waiters.rejectAll(new Error('reset'));
    await expect(reset).rejects.toThrow('reset');
    await expect(aborted).rejects.toThrow('gave up');

    let quiet = false;
    void waiters.whenQuiet(true).then(() => (quiet = true));
    waiters.wakeQuiet(true);
    await Promise.resolve();
    expect(quiet, 'still busy').toBe(false);
    waiters.wakeQuiet(false);
    await Promise.resolve();
    expect(quiet).toBe(true);
    await expect(waiters.whenSettled(false)).resolves.toBeUndefined();
  });
});
