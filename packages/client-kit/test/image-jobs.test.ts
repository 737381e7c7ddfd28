import { describe, expect, it } from 'vitest';

import type { ImageJobAdapter } from '../src/index.js';
import { JobFailedError, JobTimeoutError, createImageJobs, parseJobHandle } from '../src/index.js';

// A 1x1 PNG header is enough for the size: signature, IHDR length and type, width, height.
const PNG_2X3 = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 2, 0, 0, 0, 3, 8, 6, 0, 0, 0]);

type FakeJob = { id: string; status: 'pending' | 'done' | 'error'; urls?: string[] };

/** A vendor whose job is done after `pollsUntilDone` polls. */
function fakeVendor(pollsUntilDone: number, outcome: 'done' | 'error' = 'done', cancel = false) {
  let polls = 0;
  const submitted: string[] = [];
  const adapter: ImageJobAdapter<{ style?: string }, FakeJob> = {
    vendor: 'fake',
    baseUrl: 'https://fake.test/v1',
    capabilities: { cancel, idempotentSubmit: false, aspectRatio: true, n: false },
    async submit(request) {
      submitted.push(request.prompt);
      return { id: 'job-1', raw: { accepted: true } };
    },
    async poll(handle) {
      polls += 1;
      return polls >= pollsUntilDone ? { id: handle.id, status: outcome, urls: ['https://cdn.test/1.png'] } : { id: handle.id, status: 'pending' };
    },
    describe: (job) => ({
      state: job.status === 'done' ? 'succeeded' : job.status === 'error' ? 'failed' : 'running',
      outputs: job.urls ?? [],
    }),
    failure: (job, handle) => new JobFailedError(job, `job ${job.id} failed`, { handle, vendor: 'fake' }),
    downloadOutput: async () => ({ bytes: PNG_2X3, contentType: 'image/png' }),
    ...(cancel ? { cancel: async () => undefined } : {}),
  };
  return { jobs: createImageJobs(adapter), submitted, polls: () => polls };
}

const noSleep = async () => undefined;

describe('createImageJobs', () => {
  it('generates: submit, wait with progress, download into the one image shape', async () => {
    const { jobs, submitted } = fakeVendor(3);
    const states: string[] = [];

    const result = await jobs.generate({ prompt: 'p' }, { wait: { sleep: noSleep, onProgress: (status) => states.push(status.state) } });

    expect(submitted).toEqual(['p']);
    expect(states).toEqual(['running', 'running', 'succeeded']);
    expect(result.images).toEqual([
      { url: 'https://cdn.test/1.png', bytes: PNG_2X3, contentType: 'image/png', width: 2, height: 3, raw: result.job.raw },
    ]);
    expect(parseJobHandle(result.handle)).toEqual({ vendor: 'fake', baseUrl: 'https://fake.test/v1', id: 'job-1' });
  });

  it('hands over the handle on a time-out, and the same handle resumes', async () => {
    const { jobs, submitted } = fakeVendor(1000);
    const error = await jobs.generate({ prompt: 'p' }, { wait: { timeoutMs: 20, intervalMs: 5 } }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(JobTimeoutError);
    const { handle } = error as JobTimeoutError;
    expect(parseJobHandle(handle!).id).toBe('job-1');
    expect(submitted).toHaveLength(1);
  });

  it('hands over the handle on an abort, as an AbortError', async () => {
    const { jobs } = fakeVendor(1000);
    const abort = new AbortController();
    const error = await jobs
      .generate({ prompt: 'p' }, { signal: abort.signal, wait: { sleep: async () => abort.abort(new Error('bye')) } })
      .catch((e: unknown) => e);

    expect(error).toMatchObject({ name: 'AbortError', kind: 'aborted', mayHaveTakenEffect: true });
    expect(parseJobHandle((error as { handle: string }).handle).id).toBe('job-1');
  });

  it("throws the vendor's failure, with the handle, for a failed job", async () => {
    const { jobs } = fakeVendor(1, 'error');
    await expect(jobs.generate({ prompt: 'p' }, { wait: { sleep: noSleep } })).rejects.toMatchObject({ kind: 'job_failed', message: 'job job-1 failed' });
  });

  it('offers cancel only where the vendor has it', () => {
    expect(fakeVendor(1).jobs.cancel).toBeUndefined();
    expect(fakeVendor(1, 'done', true).jobs.cancel).toBeTypeOf('function');
  });

  it("refuses another vendor's handle before any request", async () => {
    const { jobs, polls } = fakeVendor(1);
    await expect(jobs.wait('imagegen-job:other:WyJodHRwczovL3guIiwiMSJd')).rejects.toThrow(/other job handle/);
    expect(polls()).toBe(0);
  });
});
