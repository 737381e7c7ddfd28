import { describe, expect, it } from 'vitest';
import { runJob } from '../src/run-job.js';

describe('runJob', () => {
  it('feeds each step the previous result and the same signal, and returns all three', async () => {
    const controller = new AbortController();
    const seen: Array<[string, unknown, AbortSignal | undefined]> = [];

    const outcome = await runJob({
      create: async (signal) => {
        seen.push(['create', undefined, signal]);
        return { id: 'job_1' };
      },
      wait: async (created, signal) => {
        seen.push(['wait', created, signal]);
        return { ...created, status: 'succeeded' as const };
      },
      download: async (job, signal) => {
        seen.push(['download', job, signal]);
        return new Uint8Array([1, 2, 3]);
      },
      signal: controller.signal,
    });

    expect(outcome).toEqual({
      created: { id: 'job_1' },
      job: { id: 'job_1', status: 'succeeded' },
      result: new Uint8Array([1, 2, 3]),
    });
    expect(seen).toEqual([
      ['create', undefined, controller.signal],
      ['wait', { id: 'job_1' }, controller.signal],
      ['download', { id: 'job_1', status: 'succeeded' }, controller.signal],
    ]);
  });

  it.each([
    { abortDuring: 'before', ran: [] },
    { abortDuring: 'create', ran: ['create'] },
    { abortDuring: 'wait', ran: ['create', 'wait'] },
  ])('starts no later step once aborted $abortDuring', async ({ abortDuring, ran: expected }) => {
    const controller = new AbortController();
    const reason = new Error('cancelled');
    const ran: string[] = [];
    // Steps that ignore the signal, so only runJob's own checks can stop the chain.
    const step = (name: string) => async () => {
      ran.push(name);
      if (abortDuring === name) controller.abort(reason);
      return name;
    };
    if (abortDuring === 'before') controller.abort(reason);

    await expect(
      runJob({ create: step('create'), wait: step('wait'), download: step('download'), signal: controller.signal }),
    ).rejects.toBe(reason);
    expect(ran).toEqual(expected);
  });

  it('stops at the first failing step', async () => {
    const failure = new Error('job failed');
    const ran: string[] = [];

    await expect(
      runJob({
        create: async () => {
          ran.push('create');
          return 'job_1';
        },
        wait: async () => {
          ran.push('wait');
          throw failure;
        },
        download: async () => {
          ran.push('download');
          return 'bytes';
        },
      }),
    ).rejects.toBe(failure);
    expect(ran).toEqual(['create', 'wait']);
  });
});
