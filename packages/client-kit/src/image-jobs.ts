import { ClientError } from './error-kind.js';
import { imageDimensions } from './image-size.js';
import type { JobHandle } from './job-handle.js';
import { ownJobHandle, serializeJobHandle } from './job-handle.js';
import { JobTimeoutError } from './job-timeout-error.js';
import type { Sleep } from './sleep.js';
import { waitForJob } from './wait-for-job.js';

/** Where a job is, in the same words for every vendor. */
export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/**
 * The same request for every vendor. Each client maps it onto its own body; `extra` is merged
 * last, in the vendor's own field names, for what only that vendor has.
 */
export interface ImageRequest<TExtra = Record<string, unknown>> {
  /** What to draw. Required. */
  prompt: string;
  /** The vendor's model id. Default: the model of the vendor's own first example. */
  model?: string | undefined;
  /** `16:9`, `1:1`...: sent where the vendor takes an aspect ratio (each checks its own list). Default: the vendor's. */
  aspectRatio?: string | undefined;
  /** How many images, where the vendor lets you choose (Lumen's `n`). Default: the vendor's. */
  n?: number | undefined;
  /** Fields in the vendor's own names, merged into the body last. Default: none. */
  extra?: TExtra | undefined;
}

/** Options of a single request. */
export interface JobCallOptions {
  /** Aborts the request. Default: none. */
  signal?: AbortSignal | undefined;
  /** Headers added to the API request (e.g. the mock's `Prefer`). Default: none. */
  headers?: Record<string, string> | undefined;
}

/** Options of `submit` and `generate`. */
export interface SubmitOptions extends JobCallOptions {
  /**
   * For vendors with an idempotency mechanism (`capabilities.idempotentSubmit`): reuse the same
   * key to repeat this submission safely, across processes. Default: a fresh key per call.
   */
  idempotencyKey?: string | undefined;
}

/** A job the vendor accepted. */
export interface PendingJob<TRaw = unknown> {
  /** The serialised {@link JobHandle}: store it to resume the job in any process. */
  handle: string;
  /** The vendor's job id. */
  id: string;
  /** The vendor's answer to the submission, as it came. */
  raw: TRaw;
}

/** A job's state, as one poll saw it. */
export interface JobStatus<TJob> {
  handle: string;
  id: string;
  state: JobState;
  /** 0-100 where the vendor reports it. */
  progress: number | undefined;
  /** The vendor's answer to the poll, as it came. */
  raw: TJob;
}

/** A job that succeeded, with the URLs of its images. */
export interface FinishedJob<TJob> extends JobStatus<TJob> {
  state: 'succeeded';
  /** Where its images are, in the vendor's order. */
  outputs: string[];
}

/** Polling options of `wait` and `generate`. */
export interface ImageWaitOptions<TJob> {
  /** Overall deadline, in ms; past it, `JobTimeoutError` carries the handle. Default: `600_000`. */
  timeoutMs?: number | undefined;
  /** Wait after the first poll, in ms. Default: the vendor client's (2000; 5000 for useapi.net, as its page polls). */
  intervalMs?: number | undefined;
  /** Each following wait is the previous one times this. Default: the vendor client's (1.5; 1 for useapi.net). */
  backoffFactor?: number | undefined;
  /** Longest wait between polls, in ms. Default: `15_000`. */
  maxIntervalMs?: number | undefined;
  /** Stops waiting; the rejection is a `JobAbortedError` carrying the handle. Default: none. */
  signal?: AbortSignal | undefined;
  /** Called with every status polled. Default: none. */
  onProgress?: ((status: JobStatus<TJob>) => void) | undefined;
  /** Waits between polls. Default: `sleep`. */
  sleep?: Sleep | undefined;
}

/** One downloaded image, the same shape from every vendor. */
export interface DownloadedImage<TJob = unknown> {
  bytes: Uint8Array;
  /** The answer's Content-Type, e.g. `image/png`. */
  contentType: string;
  /** Read from the image's header; `undefined` for a format it cannot read. */
  width: number | undefined;
  height: number | undefined;
  /** Where it was downloaded from (a presigned URL's query included: treat it as a secret). */
  url: string;
  /** The vendor's answer about the finished job, as it came. */
  raw: TJob;
}

/** What `generate` resolves with. */
export interface GeneratedImages<TJob> {
  handle: string;
  job: FinishedJob<TJob>;
  images: DownloadedImage<TJob>[];
}

/** What a vendor supports beyond the common calls. */
export interface ImageJobCapabilities {
  /** `cancel` is available. */
  cancel: boolean;
  /** A repeated submission with the same idempotency key returns the first job instead of a new one. */
  idempotentSubmit: boolean;
  /** `aspectRatio` is sent (otherwise it is left out: pass the vendor's own field in `extra`). */
  aspectRatio: boolean;
  /** `n` is sent (otherwise the vendor decides how many images one job makes). */
  n: boolean;
}

/**
 * One interface over every vendor's async image API: the same calls, the same shapes, the same
 * errors (`ClientError` kinds). Each vendor client exposes one as `client.jobs`, beside its own
 * vendor-faithful methods.
 */
export interface ImageJobClient<TExtra = Record<string, unknown>, TJob = unknown> {
  /** The vendor's slug. */
  readonly vendor: string;
  readonly capabilities: ImageJobCapabilities;
  /** Submits one request; resolves as soon as the vendor accepted it. */
  submit(request: ImageRequest<TExtra>, options?: SubmitOptions): Promise<PendingJob>;
  /** Polls the job once. */
  status(handle: JobHandle | string, options?: JobCallOptions): Promise<JobStatus<TJob>>;
  /**
   * Polls until the job is terminal. A failed or cancelled job rejects with the vendor's
   * `JobFailedError`; a deadline with `JobTimeoutError` and an abort with `JobAbortedError`, both
   * carrying `handle`.
   */
  wait(handle: JobHandle | string, options?: ImageWaitOptions<TJob>): Promise<FinishedJob<TJob>>;
  /** Cancels the job where the vendor can (`capabilities.cancel`); `undefined` where it cannot. */
  readonly cancel: ((handle: JobHandle | string, options?: JobCallOptions) => Promise<void>) | undefined;
  /** Downloads every image of a finished job, without sending the key to a foreign host. */
  download(job: FinishedJob<TJob>, options?: JobCallOptions): Promise<DownloadedImage<TJob>[]>;
  /** Submit, wait and download in one call. */
  generate(
    request: ImageRequest<TExtra>,
    options?: SubmitOptions & { wait?: Omit<ImageWaitOptions<TJob>, 'signal'> },
  ): Promise<GeneratedImages<TJob>>;
}

/** What a vendor client gives {@link createImageJobs}: its own calls, behind the common shapes. */
export interface ImageJobAdapter<TExtra, TJob> {
  vendor: string;
  baseUrl: string;
  capabilities: ImageJobCapabilities;
  /** Sends the request; the job's id, the ids polled when it is several jobs, and the answer (plus the job itself, when the answer is one). */
  submit(
    request: ImageRequest<TExtra>,
    options: SubmitOptions,
  ): Promise<{ id: string; parts?: readonly string[]; raw: unknown; job?: TJob }>;
  /** One poll. */
  poll(handle: JobHandle, options: JobCallOptions): Promise<TJob>;
  /** The common view of a polled job. */
  describe(job: TJob): { state: JobState; progress?: number | undefined; outputs: string[] };
  /** The vendor's `JobFailedError` for a job that ended failed or cancelled. */
  failure(job: TJob, handle: string): Error;
  /** Downloads one output URL of a succeeded job: the bytes and their type. Outputs are fetched one after the other. */
  downloadOutput(url: string, options: JobCallOptions): Promise<{ bytes: Uint8Array; contentType: string }>;
  /**
   * Downloads every output at once instead, for a vendor that must do more than fetch each URL
   * (Luma Agents polls again for fresh presigned URLs when one expired). Default: `downloadOutput` per URL.
   */
  download?: (
    job: FinishedJob<TJob>,
    options: JobCallOptions,
  ) => Promise<Array<{ url: string; bytes: Uint8Array; contentType: string; raw?: TJob }>>;
  /** Cancels the job, where the vendor can. */
  cancel?: (handle: JobHandle, options: JobCallOptions) => Promise<void>;
  /** Polling defaults of the vendor (its documented cadence). Default: `waitForJob`'s. */
  pollDefaults?: { intervalMs?: number; backoffFactor?: number };
}

/**
 * The caller aborted a wait. The job goes on; `handle` resumes it. Named `AbortError`, as an abort
 * is everywhere else, so code that treats aborts apart (the AI SDK's retries among it) still does.
 */
export class JobAbortedError extends ClientError {
  constructor(handle: string, vendor: string, reason: unknown) {
    super(`Stopped waiting for the ${vendor} job; it goes on: resume it with jobs.wait(handle): ${handle}`, {
      kind: 'aborted',
      retryable: true,
      mayHaveTakenEffect: true,
      vendor,
      handle,
      cause: reason,
    });
    this.name = 'AbortError';
  }
}

/** Builds the common interface from a vendor's adapter. */
export function createImageJobs<TExtra, TJob>(adapter: ImageJobAdapter<TExtra, TJob>): ImageJobClient<TExtra, TJob> {
  const { vendor, baseUrl } = adapter;
  const own = (handle: JobHandle | string) => ownJobHandle(handle, vendor, baseUrl);

  const statusOf = (handle: JobHandle, job: TJob): JobStatus<TJob> => {
    const { state, progress } = adapter.describe(job);
    return { handle: serializeJobHandle(handle), id: handle.id, state, progress, raw: job };
  };

  const finished = (handle: JobHandle, job: TJob): FinishedJob<TJob> => {
    const described = adapter.describe(job);
    const status = statusOf(handle, job);
    // A success without any output is no result either: the vendor's failure error says so.
    if (described.state !== 'succeeded' || described.outputs.length === 0) throw adapter.failure(job, status.handle);
    return { ...status, state: 'succeeded', outputs: described.outputs };
  };

  async function waitFor(handle: JobHandle, options: ImageWaitOptions<TJob>, first?: TJob): Promise<FinishedJob<TJob>> {
    const serialized = serializeJobHandle(handle);
    if (first !== undefined && isTerminal(adapter.describe(first).state)) return finished(handle, first);
    const { onProgress, signal, timeoutMs, intervalMs, backoffFactor, maxIntervalMs, sleep } = options;
    try {
      const job = await waitForJob<TJob>({
        getStatus: (requestSignal) => adapter.poll(handle, { signal: requestSignal }),
        isTerminal: (polled) => isTerminal(adapter.describe(polled).state),
        ...defined({ timeoutMs, maxIntervalMs, sleep, signal }),
        ...defined({ intervalMs: intervalMs ?? adapter.pollDefaults?.intervalMs }),
        ...defined({ backoffFactor: backoffFactor ?? adapter.pollDefaults?.backoffFactor }),
        ...(onProgress ? { onStatus: (polled: TJob) => onProgress(statusOf(handle, polled)) } : {}),
      });
      return finished(handle, job);
    } catch (error) {
      if (error instanceof JobTimeoutError && error.handle === undefined) {
        throw new JobTimeoutError({ lastJob: error.lastJob, elapsedMs: error.elapsedMs, timeoutMs: error.timeoutMs, handle: serialized, vendor });
      }
      if (signal?.aborted && error === signal.reason) throw new JobAbortedError(serialized, vendor, error);
      throw error;
    }
  }

  async function eachOutput(job: FinishedJob<TJob>, options: JobCallOptions) {
    const files: Array<{ url: string; bytes: Uint8Array; contentType: string; raw?: TJob }> = [];
    for (const url of job.outputs) files.push({ url, ...(await adapter.downloadOutput(url, options)) });
    return files;
  }

  function cancelOf(cancel: ImageJobAdapter<TExtra, TJob>['cancel']): ImageJobClient['cancel'] {
    if (cancel === undefined) return undefined;
    return async (handle, options = {}) => cancel(own(handle), options);
  }

  const jobs: ImageJobClient<TExtra, TJob> = {
    vendor,
    capabilities: adapter.capabilities,

    async submit(request, options = {}) {
      const { id, parts, raw } = await adapter.submit(request, options);
      return { handle: serializeJobHandle({ vendor, baseUrl, id, parts }), id, raw };
    },

    async status(handle, options = {}) {
      const polled = own(handle);
      return statusOf(polled, await adapter.poll(polled, options));
    },

    wait: async (handle, options = {}) => waitFor(own(handle), options),

    cancel: cancelOf(adapter.cancel),

    async download(job, options = {}) {
      own(job.handle);
      const files = adapter.download ? await adapter.download(job, options) : await eachOutput(job, options);
      return files.map(({ url, bytes, contentType, raw }) => {
        const size = imageDimensions(bytes);
        return { bytes, contentType, width: size?.width, height: size?.height, url, raw: raw ?? job.raw };
      });
    },

    async generate(request, options = {}) {
      const { wait = {}, signal, ...submitOptions } = options;
      signal?.throwIfAborted();
      const { id, parts, job } = await adapter.submit(request, { ...submitOptions, signal });
      const handle: JobHandle = { vendor, baseUrl, id, ...(parts === undefined ? {} : { parts }) };
      const done = await waitFor(handle, { ...wait, signal }, job);
      signal?.throwIfAborted();
      const images = await jobs.download(done, { signal });
      return { handle: done.handle, job: done, images };
    },
  };
  return jobs;
}

function isTerminal(state: JobState): boolean {
  return state === 'succeeded' || state === 'failed' || state === 'cancelled';
}

/** The entries whose value is not `undefined`, for options read under `exactOptionalPropertyTypes`. */
function defined<T extends Record<string, unknown>>(values: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
