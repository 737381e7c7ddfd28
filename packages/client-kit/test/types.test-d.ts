import { describe, expectTypeOf, it } from 'vitest';
import type { DownloadError, DownloadErrorReason, HmacVerification, JobOutcome, JobsProgress, PollInfo, RunJobResult, saveResponseToFile } from '../src/index.js';
import {
  ApiError,
  createRetryingFetch,
  fetchWithoutCredentials,
  isApiError,
  JobFailedError,
  JobTimeoutError,
  readResponseBytes,
  runJob,
  signHmac,
  verifyHmacSignature,
  waitForJob,
  waitForJobs,
} from '../src/index.js';

type Job =
  | { id: string; status: 'queued' | 'running' }
  | { id: string; status: 'succeeded'; url: string }
  | { id: string; status: 'failed'; error: string };
type DoneJob = Extract<Job, { status: 'succeeded' | 'failed' }>;

declare const getJob: (signal: AbortSignal) => Promise<Job>;

describe('public types', () => {
  it('waitForJob returns the job type', () => {
    const result = waitForJob({ getStatus: getJob, isTerminal: (job: Job): boolean => job.status !== 'queued' });
    expectTypeOf(result).toEqualTypeOf<Promise<Job>>();
  });

  it('waitForJob narrows the result when isTerminal is a type predicate', () => {
    const result = waitForJob({
      getStatus: getJob,
      isTerminal: (job): job is DoneJob => job.status === 'succeeded' || job.status === 'failed',
    });
    expectTypeOf(result).toEqualTypeOf<Promise<DoneJob>>();
  });

  it('waitForJob types the callbacks from getStatus', () => {
    void waitForJob({
      getStatus: getJob,
      isTerminal: (job) => {
        expectTypeOf(job).toEqualTypeOf<Job>();
        return true;
      },
      onStatus: (job, info) => {
        expectTypeOf(job).toEqualTypeOf<Job>();
        expectTypeOf(info).toEqualTypeOf<PollInfo>();
      },
    });
    // @ts-expect-error isTerminal must accept the job type
    void waitForJob({ getStatus: getJob, isTerminal: (job: number) => job > 0 });
  });

  it('createRetryingFetch keeps the fetch signature', () => {
    expectTypeOf(createRetryingFetch(fetch)).toEqualTypeOf<typeof fetch>();
  });

  it('ApiError subclasses narrow the code', () => {
    class VendorError extends ApiError<'rate_limit_error' | 'invalid_request_error'> {}
    const error = new VendorError({ status: 429, code: 'rate_limit_error', message: 'x' });
    expectTypeOf(error.code).toEqualTypeOf<'rate_limit_error' | 'invalid_request_error' | undefined>();
    expectTypeOf(error.headers).toEqualTypeOf<Headers>();
    // @ts-expect-error the code must be one the vendor declares
    void new VendorError({ status: 429, code: 'teapot', message: 'x' });
  });

  it('ApiError takes a numeric code union too', () => {
    class NumericError extends ApiError<422 | 429> {}
    const error = new NumericError({ status: 429, code: 429, message: 'x' });
    expectTypeOf(error.code).toEqualTypeOf<422 | 429 | undefined>();
    // @ts-expect-error the code must be one the vendor declares
    void new NumericError({ status: 400, code: 400, message: 'x' });
    // @ts-expect-error a code is a string or a number
    void new ApiError<boolean>({ status: 400, message: 'x' });
    expectTypeOf(new ApiError({ status: 400, message: 'x' }).code).toEqualTypeOf<string | undefined>();
  });

  it('isApiError narrows to either kind of code', () => {
    const error: unknown = new Error('x');
    if (isApiError(error)) expectTypeOf(error.code).toEqualTypeOf<string | number | undefined>();
  });

  it('waitForJobs resolves with one outcome per key, typed by getStatus and isTerminal', () => {
    const outcomes = waitForJobs({
      jobs: ['a', 'b'],
      getStatus: (key, signal) => {
        expectTypeOf(key).toEqualTypeOf<string>();
        return getJob(signal);
      },
      isTerminal: (job): job is DoneJob => job.status === 'succeeded' || job.status === 'failed',
      onProgress: (update) => {
        expectTypeOf(update).toEqualTypeOf<JobsProgress<string, Job, DoneJob>>();
        if (update.type === 'status') expectTypeOf(update.job).toEqualTypeOf<Job>();
        else expectTypeOf(update.outcome).toEqualTypeOf<JobOutcome<Job, DoneJob>>();
      },
    });
    expectTypeOf(outcomes).toEqualTypeOf<Promise<JobOutcome<Job, DoneJob>[]>>();
    expectTypeOf<Extract<JobOutcome<Job, DoneJob>, { state: 'terminal' }>['job']>().toEqualTypeOf<DoneJob>();
    expectTypeOf<Extract<JobOutcome<Job, DoneJob>, { state: 'timeout' }>['lastJob']>().toEqualTypeOf<Job | undefined>();
  });

  it('job errors carry the job type', () => {
    expectTypeOf(new JobFailedError({} as Job).job).toEqualTypeOf<Job>();
    expectTypeOf(new JobTimeoutError<Job>({ lastJob: undefined, elapsedMs: 0, timeoutMs: 1 }).lastJob).toEqualTypeOf<
      Job | undefined
    >();
  });

  it('runJob threads each step result into the next and the outcome', () => {
    const outcome = runJob({
      create: async () => ({ id: 'job_1' }),
      wait: async (created) => {
        expectTypeOf(created).toEqualTypeOf<{ id: string }>();
        return {} as DoneJob;
      },
      download: async (job) => {
        expectTypeOf(job).toEqualTypeOf<DoneJob>();
        return readResponseBytes(new Response());
      },
    });
    expectTypeOf(outcome).toEqualTypeOf<Promise<RunJobResult<{ id: string }, DoneJob, Uint8Array>>>();
  });

  it('saveResponseToFile reports path and size', () => {
    expectTypeOf<Awaited<ReturnType<typeof saveResponseToFile>>>().toEqualTypeOf<{ path: string; bytes: number }>();
  });

  it('fetchWithoutCredentials resolves a Response; DownloadError names its reasons', () => {
    expectTypeOf(fetchWithoutCredentials('https://x.test/a.png')).toEqualTypeOf<Promise<Response>>();
    expectTypeOf<DownloadError['reason']>().toEqualTypeOf<DownloadErrorReason>();
    expectTypeOf<DownloadErrorReason>().toEqualTypeOf<'forbidden' | 'not_found' | 'unexpected_status'>();
    // @ts-expect-error the fetch option must be a fetch
    void fetchWithoutCredentials('https://x.test/a.png', { fetch: 'no' });
  });

  it('HMAC helpers take text or bytes and narrow the verification on valid', () => {
    expectTypeOf(signHmac('body', new Uint8Array([1]), { prefix: 'sha256=' })).toEqualTypeOf<string>();
    const result = verifyHmacSignature(new Uint8Array([1]), 'sig', ['new', new Uint8Array([2])]);
    expectTypeOf(result).toEqualTypeOf<HmacVerification>();
    if (result.valid) expectTypeOf(result.secretIndex).toEqualTypeOf<number>();
    else expectTypeOf(result.reason).toEqualTypeOf<'malformed' | 'mismatch'>();
    // @ts-expect-error a parsed body is not a signed payload
    void verifyHmacSignature({ id: 'x' }, 'sig', 'secret');
    // @ts-expect-error md5 is not offered
    void signHmac('body', 'secret', { algorithm: 'md5' });
  });
});
