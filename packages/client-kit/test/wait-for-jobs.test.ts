import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { JobsProgress, WaitForJobsOptions } from '../src/wait-for-jobs.js';
import { waitForJobs } from '../src/wait-for-jobs.js';

interface Job {
  id: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
}
type Step = Job['status'] | Error | 'hang';

const isTerminal = (job: Job): boolean => job.status === 'succeeded' || job.status === 'failed';

/**
 * getStatus answering each job's script in turn, repeating its last step. `hang` never answers
 * (until the request's signal aborts); an Error is thrown. Real timers are faked, so the jobs'
 * sleeps interleave as they would in time, on one clock.
 */
function scripted(scripts: Record<string, readonly Step[]>) {
  const calls: Array<{ id: string; at: number; signal: AbortSignal }> = [];
  const getStatus = async (id: string, signal: AbortSignal): Promise<Job> => {
    const script = scripts[id] ?? [];
    const made = calls.filter((call) => call.id === id).length;
    calls.push({ id, at: Date.now(), signal });
    const step = script[Math.min(made, script.length - 1)];
    if (step === undefined) throw new Error(`no script for ${id}`);
    if (step instanceof Error) throw step;
    if (step === 'hang') {
      return new Promise<Job>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
    }
    return { id, status: step };
  };
  return { getStatus, calls };
}

function start(
  scripts: Record<string, readonly Step[]>,
  options: Partial<WaitForJobsOptions<string, Job>> = {},
) {
  const { getStatus, calls } = scripted(scripts);
  const updates: JobsProgress<string, Job>[] = [];
  const result = waitForJobs<string, Job>({
    jobs: Object.keys(scripts),
    getStatus,
    isTerminal,
    intervalMs: 1_000,
    backoffFactor: 1,
    timeoutMs: 10_000,
    onProgress: (update) => updates.push(update),
    ...options,
  });
  // Settled or not, the test decides what it expects; this keeps an early rejection from going unhandled.
  result.catch(() => undefined);
  return { result, calls, updates };
}

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('waitForJobs', () => {
  it('resolves with every job’s outcome in the order given, whatever the others did', async () => {
    const boom = new Error('HTTP 404');
    const { result } = start({
      done: ['queued', 'running', 'succeeded'],
      failed: ['failed'],
      broken: ['running', boom],
      slow: ['running'],
    });

    await vi.runAllTimersAsync();

    await expect(result).resolves.toEqual([
      { state: 'terminal', job: { id: 'done', status: 'succeeded' } },
      { state: 'terminal', job: { id: 'failed', status: 'failed' } },
      { state: 'error', error: boom, lastJob: { id: 'broken', status: 'running' } },
      { state: 'timeout', lastJob: { id: 'slow', status: 'running' } },
    ]);
  });

  it('polls the jobs side by side, each at its own pace', async () => {
    const { result, calls } = start({ a: ['queued', 'queued', 'succeeded'], b: ['queued', 'succeeded'] });

    await vi.runAllTimersAsync();
    await result;

    expect(calls.map(({ id, at }) => `${id}@${at}`)).toEqual(['a@0', 'b@0', 'a@1000', 'b@1000', 'a@2000']);
  });

  it('gives every job the same deadline, aborting a poll still in flight at it', async () => {
    const { result, calls, updates } = start(
      { waiting: ['running'], hanging: ['running', 'hang'] },
      { timeoutMs: 3_500 },
    );

    await vi.runAllTimersAsync();

    await expect(result).resolves.toEqual([
      { state: 'timeout', lastJob: { id: 'waiting', status: 'running' } },
      { state: 'timeout', lastJob: { id: 'hanging', status: 'running' } },
    ]);
    const settledAt = updates.filter((update) => update.type === 'settled').map((update) => update.elapsedMs);
    expect(settledAt).toEqual([3_500, 3_500]);
    expect(calls.filter((call) => call.id === 'hanging').at(-1)?.signal.aborted).toBe(true);
  });

  it('reports each status, then each outcome with the count settled so far', async () => {
    const { result, updates } = start({ a: ['running', 'succeeded'], b: ['failed'] });

    await vi.runAllTimersAsync();
    await result;

    expect(
      updates.map((update) =>
        update.type === 'status'
          ? `${update.key} status ${update.job.status} #${update.attempt} at ${update.elapsedMs} (${update.settled}/${update.total})`
          : `${update.key} settled ${update.outcome.state} at ${update.elapsedMs} (${update.settled}/${update.total})`,
      ),
    ).toEqual([
      'a status running #1 at 0 (0/2)',
      'b status failed #1 at 0 (0/2)',
      'b settled terminal at 0 (1/2)',
      'a status succeeded #2 at 1000 (1/2)',
      'a settled terminal at 1000 (2/2)',
    ]);
    expect(updates.map((update) => update.index)).toEqual([0, 1, 1, 0, 0]);
  });

  it('rejects with the abort reason as soon as the signal aborts, stopping every poll', async () => {
    const controller = new AbortController();
    const reason = new Error('user cancelled');
    const { result, calls } = start({ sleeping: ['running'], hanging: ['hang'] }, { signal: controller.signal });

    await vi.advanceTimersByTimeAsync(1_500);
    const pollsBefore = calls.length;
    controller.abort(reason);

    await expect(result).rejects.toBe(reason);
    await vi.runAllTimersAsync();
    expect(calls).toHaveLength(pollsBefore);
    expect(calls.every((call) => call.signal.aborted)).toBe(true);
  });

  it('sends nothing when the signal has already aborted', async () => {
    const reason = new Error('too late');
    const { result, calls } = start({ a: ['succeeded'] }, { signal: AbortSignal.abort(reason) });

    await expect(result).rejects.toBe(reason);
    expect(calls).toEqual([]);
  });

  it('rejects with the exception onProgress throws and stops the other polls', async () => {
    const bug = new Error('bug in the progress handler');
    const { result, calls } = start(
      { a: ['running'], b: ['running', 'running', 'succeeded'] },
      {
        onProgress: (update) => {
          if (update.type === 'status' && update.key === 'b' && update.attempt === 2) throw bug;
        },
      },
    );

    await vi.runAllTimersAsync();

    await expect(result).rejects.toBe(bug);
    expect(calls.map(({ id, at }) => `${id}@${at}`)).toEqual(['a@0', 'b@0', 'a@1000', 'b@1000']);
  });

  it('resolves with no outcomes for no jobs', async () => {
    const { result, calls } = start({});

    await expect(result).resolves.toEqual([]);
    expect(calls).toEqual([]);
  });

  it.each([0, -1, Number.NaN])('refuses timeoutMs %s', async (timeoutMs) => {
    await expect(waitForJobs({ jobs: ['a'], getStatus: async () => 1, isTerminal: () => true, timeoutMs })).rejects.toThrow(
      TypeError,
    );
  });

  it('counts the deadline as a timeout, not an error, for a job that never answered', async () => {
    const { result } = start({ silent: ['hang'] }, { timeoutMs: 2_000 });

    await vi.runAllTimersAsync();

    await expect(result).resolves.toEqual([{ state: 'timeout', lastJob: undefined }]);
  });
});
