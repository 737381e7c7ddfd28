import { describe, expect, it } from 'vitest';
import { JobTimeoutError } from '../src/job-timeout-error.js';
import type { PollInfo, WaitForJobOptions } from '../src/wait-for-job.js';
import { waitForJob } from '../src/wait-for-job.js';

interface Job {
  id: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
}

const job = (status: Job['status']): Job => ({ id: 'job_1', status });
const isTerminal = (j: Job): boolean => j.status === 'succeeded' || j.status === 'failed';

/** A clock that only moves when the code under test sleeps (or a fake request takes time). */
function fakeClock(start = 1_000_000) {
  let time = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => time,
    advance: (ms: number) => {
      time += ms;
    },
    sleep: async (ms: number, signal?: AbortSignal) => {
      signal?.throwIfAborted();
      sleeps.push(ms);
      time += ms;
    },
  };
}

/** getStatus answering `statuses` in turn, repeating the last. */
function scriptedStatus(statuses: readonly Job['status'][]) {
  const signals: AbortSignal[] = [];
  const getStatus = async (signal: AbortSignal): Promise<Job> => {
    const status = statuses[Math.min(signals.length, statuses.length - 1)] ?? 'queued';
    signals.push(signal);
    return job(status);
  };
  return { getStatus, signals };
}

function waitWithClock(statuses: readonly Job['status'][], options: Partial<WaitForJobOptions<Job>> = {}) {
  const clock = fakeClock();
  const { getStatus, signals } = scriptedStatus(statuses);
  const seen: Array<{ status: Job['status']; info: PollInfo }> = [];
  const result = waitForJob<Job>({
    getStatus,
    isTerminal,
    sleep: clock.sleep,
    now: clock.now,
    onStatus: (j, info) => seen.push({ status: j.status, info }),
    ...options,
  });
  return { result, clock, signals, seen };
}

describe('waitForJob: polling', () => {
  it.each([
    { statuses: ['succeeded'] as const, polls: 1 },
    { statuses: ['queued', 'running', 'succeeded'] as const, polls: 3 },
    { statuses: ['queued', 'failed', 'succeeded'] as const, polls: 2 },
  ])('returns the first terminal job of $statuses after $polls poll(s)', async ({ statuses, polls }) => {
    const { result, signals } = waitWithClock(statuses);

    await expect(result).resolves.toEqual(job(statuses[polls - 1] ?? 'queued'));
    expect(signals).toHaveLength(polls);
  });

  it('reports every status with its attempt number and elapsed time', async () => {
    const { result, seen } = waitWithClock(['queued', 'running', 'succeeded']);

    await result;

    expect(seen).toEqual([
      { status: 'queued', info: { attempt: 1, elapsedMs: 0 } },
      { status: 'running', info: { attempt: 2, elapsedMs: 2_000 } },
      { status: 'succeeded', info: { attempt: 3, elapsedMs: 5_000 } },
    ]);
  });

  it.each([
    { options: {}, sleeps: [2_000, 3_000, 4_500, 6_750, 10_125, 15_000, 15_000] },
    { options: { intervalMs: 100, backoffFactor: 2, maxIntervalMs: 500 }, sleeps: [100, 200, 400, 500, 500, 500, 500] },
    { options: { intervalMs: 1_000, backoffFactor: 1 }, sleeps: [1_000, 1_000, 1_000, 1_000, 1_000, 1_000, 1_000] },
    { options: { intervalMs: 20_000, maxIntervalMs: 5_000 }, sleeps: [5_000, 5_000, 5_000, 5_000, 5_000, 5_000, 5_000] },
  ])('waits $sleeps between polls with $options', async ({ options, sleeps }) => {
    const statuses = [...Array<Job['status']>(7).fill('running'), 'succeeded' as const];
    const { result, clock } = waitWithClock(statuses, options);

    await result;

    expect(clock.sleeps).toEqual(sleeps);
  });

  it('passes getStatus errors through without polling again', async () => {
    const failure = new Error('500 from status endpoint');
    let calls = 0;
    const clock = fakeClock();

    const result = waitForJob<Job>({
      getStatus: async () => {
        calls += 1;
        throw failure;
      },
      isTerminal,
      sleep: clock.sleep,
      now: clock.now,
    });

    await expect(result).rejects.toBe(failure);
    expect(calls).toBe(1);
  });

  it('polls without a deadline when timeoutMs is Infinity', async () => {
    const statuses = [...Array<Job['status']>(100).fill('running'), 'succeeded' as const];
    const { result, signals } = waitWithClock(statuses, { timeoutMs: Number.POSITIVE_INFINITY });

    await expect(result).resolves.toEqual(job('succeeded'));
    expect(signals).toHaveLength(101);
  });
});

describe('waitForJob: deadline', () => {
  it('clips the last sleep to the deadline, then rejects with JobTimeoutError', async () => {
    const { result, clock, signals } = waitWithClock(['queued', 'running'], { timeoutMs: 10_000 });

    const error = await result.catch((e: unknown) => e);

    expect(error).toBeInstanceOf(JobTimeoutError);
    expect(error).toMatchObject({ name: 'JobTimeoutError', lastJob: job('running'), elapsedMs: 10_000, timeoutMs: 10_000 });
    expect(clock.sleeps).toEqual([2_000, 3_000, 4_500, 500]);
    expect(signals).toHaveLength(4);
  });

  it('gives the JobTimeoutError the handle it was told, so the job can be resumed', async () => {
    const { result } = waitWithClock(['queued', 'running'], { timeoutMs: 10_000, handle: 'imagegen-job:acme:abc' });

    await expect(result).rejects.toMatchObject({ name: 'JobTimeoutError', kind: 'timeout', handle: 'imagegen-job:acme:abc' });
  });

  it('does not sleep when a slow poll has already used up the time', async () => {
    const clock = fakeClock();
    const result = waitForJob<Job>({
      getStatus: async () => {
        clock.advance(7_000);
        return job('running');
      },
      isTerminal,
      timeoutMs: 5_000,
      sleep: clock.sleep,
      now: clock.now,
    });

    await expect(result).rejects.toMatchObject({ lastJob: job('running'), elapsedMs: 7_000 });
    expect(clock.sleeps).toEqual([]);
  });

  it('aborts the request in flight at the deadline', async () => {
    let requestSignal: AbortSignal | undefined;
    const startedAt = performance.now();

    const result = waitForJob<Job>({
      getStatus: (signal) => {
        requestSignal = signal;
        return new Promise<Job>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
      },
      isTerminal,
      timeoutMs: 30,
    });

    await expect(result).rejects.toMatchObject({ name: 'JobTimeoutError', lastJob: undefined });
    expect(requestSignal?.aborted).toBe(true);
    expect(performance.now() - startedAt).toBeLessThan(1_000);
  });

  it('gives up at the deadline even if getStatus ignores its signal', async () => {
    const result = waitForJob<Job>({
      getStatus: () => new Promise<Job>(() => undefined),
      isTerminal,
      timeoutMs: 30,
    });

    await expect(result).rejects.toBeInstanceOf(JobTimeoutError);
  });
});

describe('waitForJob: abort', () => {
  it('rejects with the reason without polling when the signal has already aborted', async () => {
    const reason = new Error('not needed any more');
    const { result, signals } = waitWithClock(['succeeded'], { signal: AbortSignal.abort(reason) });

    await expect(result).rejects.toBe(reason);
    expect(signals).toHaveLength(0);
  });

  it('stops mid-sleep with the reason', async () => {
    const controller = new AbortController();
    const reason = new Error('user cancelled');
    const { getStatus, signals } = scriptedStatus(['queued']);
    const startedAt = performance.now();

    // The real sleep, with an interval that only the abort can cut short.
    const result = waitForJob<Job>({
      getStatus,
      isTerminal,
      intervalMs: 60_000,
      signal: controller.signal,
      onStatus: () => setTimeout(() => controller.abort(reason), 5),
    });

    await expect(result).rejects.toBe(reason);
    expect(performance.now() - startedAt).toBeLessThan(1_000);
    expect(signals).toHaveLength(1);
  });

  it.each([
    { name: 'honours its signal', honoursSignal: true },
    { name: 'ignores its signal', honoursSignal: false },
  ])('stops mid-request with the reason when getStatus $name', async ({ honoursSignal }) => {
    const controller = new AbortController();
    const reason = new Error('user cancelled');
    let requestSignal: AbortSignal | undefined;

    const result = waitForJob<Job>({
      getStatus: (signal) => {
        requestSignal = signal;
        return new Promise<Job>((_, reject) => {
          // A fetch rejects with its own error on abort; the caller should still see the reason.
          if (honoursSignal) signal.addEventListener('abort', () => reject(new Error('fetch aborted')));
        });
      },
      isTerminal,
      signal: controller.signal,
    });
    controller.abort(reason);

    await expect(result).rejects.toBe(reason);
    expect(requestSignal?.aborted).toBe(true);
  });
});

describe('waitForJob: options', () => {
  it.each([
    { intervalMs: -1 },
    { maxIntervalMs: -1 },
    { backoffFactor: 0.5 },
    { timeoutMs: 0 },
    { timeoutMs: Number.NaN },
  ])('rejects %o', async (options) => {
    const { result } = waitWithClock(['succeeded'], options);

    await expect(result).rejects.toBeInstanceOf(TypeError);
  });
});
