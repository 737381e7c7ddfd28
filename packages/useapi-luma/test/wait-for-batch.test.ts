import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { BatchProgress, ImageJob, JobStatus, WaitForBatchOptions } from '../src/index.js';
import { UseapiLumaError } from '../src/index.js';
import { BASE_URL, json, setup } from './fake-api.js';

const JOBIDS = [1, 2, 3, 4].map(
  (n) => `j0326140530123456789i-u12345-email:user@example.com:b2c3d4e${n}-f6a7-8901-bcde-f23456789012-bot:luma`,
);
const BATCH = { jobid: JOBIDS[0]?.replace('b2c3d4e1', 'a1b2c3d4') ?? '', jobids: JOBIDS };
const urlOf = (jobid: string) => `https://storage.cdn-luma.com/${jobid.slice(-45, -37)}/image.jpg`;

const record = (jobid: string, status: JobStatus, extra: Partial<ImageJob> = {}): ImageJob => ({
  jobid,
  type: 'image',
  status,
  created: '2026-03-26T14:05:30.123Z',
  ...extra,
});
const completed = (jobid: string) => record(jobid, 'completed', { response: { image: { url: urlOf(jobid) } } });
const failed = (jobid: string, error = 'Image generation failed') => record(jobid, 'failed', { error });

type Step = JobStatus | 'done' | 'fail' | 'no-url' | 'not-found' | 'hang';

/**
 * Answers GET /jobs/{jobid} from one script per job id, repeating each script's last step. Timers
 * are faked, so the four polls interleave on one clock as they would in time.
 */
function batchServer(scripts: Record<string, readonly Step[]>) {
  const polls: Array<{ jobid: string; at: number; signal: AbortSignal }> = [];
  const answer = (request: Request): Response | Promise<Response> => {
    const jobid = decodeURIComponent(request.url.slice(`${BASE_URL}/jobs/`.length));
    const made = polls.filter((poll) => poll.jobid === jobid).length;
    polls.push({ jobid, at: Date.now(), signal: request.signal });
    const script = scripts[jobid] ?? ['not-found'];
    const step = script[Math.min(made, script.length - 1)];
    switch (step) {
      case 'done':
        return json(200, completed(jobid));
      case 'fail':
        return json(200, failed(jobid));
      case 'no-url':
        return json(200, record(jobid, 'completed', { response: null }));
      case 'not-found':
      case undefined:
        return json(404, { error: 'Job not found' });
      case 'hang':
        return new Promise<Response>((_, reject) =>
          request.signal.addEventListener('abort', () => reject(request.signal.reason), { once: true }),
        );
      default:
        return json(200, record(jobid, step));
    }
  };
  // The fake API answers from a queue; every reply here is the same router.
  const { client } = setup(Array.from({ length: 500 }, () => answer), { retry: false });
  return { client, polls };
}

function waitFor(scripts: Record<string, readonly Step[]>, options: WaitForBatchOptions = {}) {
  const { client, polls } = batchServer(scripts);
  const updates: BatchProgress[] = [];
  const result = client.waitForBatch(BATCH, { onProgress: (update) => updates.push(update), ...options });
  result.catch(() => undefined);
  return { result, polls, updates };
}

const [A = '', B = '', C = '', D = ''] = JOBIDS;

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('waitForBatch', () => {
  it('resolves with all four images once each has completed', async () => {
    const { result } = waitFor({ [A]: ['pending', 'done'], [B]: ['created', 'processing', 'done'], [C]: ['done'], [D]: ['processing', 'done'] });

    await vi.runAllTimersAsync();

    await expect(result).resolves.toEqual({
      jobid: BATCH.jobid,
      status: 'completed',
      images: JOBIDS.map((jobid) => ({ jobid, outcome: 'completed', url: urlOf(jobid), job: completed(jobid) })),
    });
  });

  it('resolves with each image’s own outcome when some fail, and calls the batch completed', async () => {
    const { result } = waitFor({ [A]: ['done'], [B]: ['processing', 'fail'], [C]: ['no-url'], [D]: ['not-found'] });

    await vi.runAllTimersAsync();

    const batch = await result;
    expect(batch.status).toBe('completed');
    expect(batch.images).toEqual([
      { jobid: A, outcome: 'completed', url: urlOf(A), job: completed(A) },
      { jobid: B, outcome: 'failed', error: 'Image generation failed', job: failed(B) },
      {
        jobid: C,
        outcome: 'failed',
        error: `useapi.net image job ${C} completed without response.image.url`,
        job: record(C, 'completed', { response: null }),
      },
      { jobid: D, outcome: 'error', error: expect.any(UseapiLumaError), lastJob: undefined },
    ]);
    expect(batch.images[3]).toMatchObject({ error: { status: 404, message: 'Job not found' } });
  });

  it('calls the batch failed when no image completed', async () => {
    const { result } = waitFor({ [A]: ['fail'], [B]: ['fail'], [C]: ['fail'], [D]: ['fail'] });

    await vi.runAllTimersAsync();

    await expect(result).resolves.toMatchObject({ status: 'failed', images: JOBIDS.map((jobid) => ({ jobid, outcome: 'failed' })) });
  });

  it('gives a failed job without an error a message naming it', async () => {
    const { client } = setup([json(200, record(A, 'failed'))]);

    const batch = await client.waitForBatch({ jobids: [A] });

    expect(batch).toEqual({
      jobid: undefined,
      status: 'failed',
      images: [{ jobid: A, outcome: 'failed', error: `useapi.net image job ${A} failed without a reason`, job: record(A, 'failed') }],
    });
  });

  it('polls every image every 5 seconds by default, as the page’s examples do', async () => {
    const { result, polls } = waitFor({ [A]: ['pending', 'pending', 'processing', 'done'], [B]: ['done'], [C]: ['done'], [D]: ['done'] });

    await vi.runAllTimersAsync();
    await result;

    expect(polls.filter((poll) => poll.jobid === A).map((poll) => poll.at)).toEqual([0, 5_000, 10_000, 15_000]);
    expect(polls.filter((poll) => poll.at === 0)).toHaveLength(4);
  });

  it('holds all four images to one deadline, aborting a poll still in flight', async () => {
    const { result, polls, updates } = waitFor(
      { [A]: ['done'], [B]: ['processing'], [C]: ['processing', 'hang'], [D]: ['pending'] },
      { timeoutMs: 7_000, intervalMs: 1_000, backoffFactor: 1 },
    );

    await vi.runAllTimersAsync();

    const batch = await result;
    expect(batch.images.map((image) => image.outcome)).toEqual(['completed', 'timeout', 'timeout', 'timeout']);
    expect(batch.images[1]).toEqual({ jobid: B, outcome: 'timeout', lastJob: record(B, 'processing') });
    expect(batch.images[2]).toEqual({ jobid: C, outcome: 'timeout', lastJob: record(C, 'processing') });
    const timedOutAt = updates.flatMap((update) =>
      update.type === 'settled' && update.image.outcome === 'timeout' ? [update.elapsedMs] : [],
    );
    expect(timedOutAt).toEqual([7_000, 7_000, 7_000]);
    expect(polls.filter((poll) => poll.jobid === C).at(-1)?.signal.aborted).toBe(true);
  });

  it('reports each status and each image’s outcome, counting the images settled', async () => {
    const { result, updates } = waitFor({ [A]: ['processing', 'done'], [B]: ['fail'], [C]: ['done'], [D]: ['done'] });

    await vi.runAllTimersAsync();
    await result;

    const perImage = JOBIDS.map((_, index) =>
      updates
        .filter((update) => update.index === index)
        .map((update) =>
          update.type === 'status'
            ? `${update.job.status} #${update.attempt} at ${update.elapsedMs}`
            : `-> ${update.image.outcome} at ${update.elapsedMs}`,
        ),
    );
    expect(perImage).toEqual([
      ['processing #1 at 0', 'completed #2 at 5000', '-> completed at 5000'],
      ['failed #1 at 0', '-> failed at 0'],
      ['completed #1 at 0', '-> completed at 0'],
      ['completed #1 at 0', '-> completed at 0'],
    ]);
    const settled = updates.flatMap((update) => (update.type === 'settled' ? [[update.settled, update.total]] : []));
    expect(settled).toEqual([
      [1, 4],
      [2, 4],
      [3, 4],
      [4, 4],
    ]);
    expect(updates.every((update) => update.jobid === JOBIDS[update.index])).toBe(true);
  });

  it('rejects with the abort reason when the signal aborts, and polls no more', async () => {
    const controller = new AbortController();
    const reason = new Error('user left');
    const { result, polls } = waitFor({ [A]: ['processing'], [B]: ['hang'], [C]: ['processing'], [D]: ['processing'] }, { signal: controller.signal });

    await vi.advanceTimersByTimeAsync(6_000);
    const before = polls.length;
    controller.abort(reason);

    await expect(result).rejects.toBe(reason);
    await vi.runAllTimersAsync();
    expect(polls).toHaveLength(before);
  });

  it('refuses a batch without image job ids', async () => {
    const { client } = batchServer({});

    await expect(client.waitForBatch({ jobids: [] })).rejects.toThrow(TypeError);
  });
});
