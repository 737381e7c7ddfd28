import {
  JobFailedError,
  bearerAuth,
  createImageJobs,
  createRetryingFetch,
  fetchWithoutCredentials,
  readResponseBytes,
  requireApiKey,
  runJob,
  waitForJobs,
  withNetworkErrors,
} from '@imagegen/client-kit';
import type { ImageJobClient, JobOutcome, JobState, RetryingFetchOptions, WaitForJobsOptions } from '@imagegen/client-kit';
import createClient from 'openapi-fetch';
import type { Client } from 'openapi-fetch';

import type { paths } from '@imagegen/spec/useapi-luma/types';
import { segmentPathSerializer } from './path-segment.js';
import { ASSET_CONTENT_TYPES, isTerminalJobStatus } from './types.js';
import type {
  AspectRatio,
  AssetContentType,
  AssetUploaded,
  CompletedImageJob,
  ImageJob,
  ImagesCreated,
  ImagesRequest,
  JobDeleted,
} from './types.js';
import { useapiLumaErrorFromResponse } from './useapi-luma-error.js';

/** Options of {@link createUseapiLumaClient}. */
export interface UseapiLumaClientOptions {
  /**
   * The useapi.net API token (e.g. `process.env.USEAPI_TOKEN`), sent as `Authorization: Bearer
   * <token>` to the API, never to image URLs. `undefined` or empty is refused at construction. Required.
   */
  token: string | undefined;
  /**
   * Base URL up to and including `/v1/luma`: `https://api.useapi.net/v1/luma`, or the mock's
   * `http://127.0.0.1:4010/useapi-luma/v1/luma`. Required.
   */
  baseUrl: string;
  /** The fetch to send requests with; tests pass their own. Default: `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch | undefined;
  /**
   * Retries of `GET` and `DELETE` on 429 and 503, honouring Retry-After; `false` sends every
   * request once. `POST`s (creating a batch, uploading an asset) are never retried: useapi.net
   * documents no idempotency key, so a retry after a lost answer could start a second batch, and
   * its `429` on `POST /images` means every account is at capacity, which no short wait clears.
   * Default: the `createRetryingFetch` defaults (4 attempts, full-jitter backoff from 500 ms).
   */
  retry?: RetryingFetchOptions | false | undefined;
}

/** Per-call options. */
export interface CallOptions {
  /** Aborts the request. Default: none. */
  signal?: AbortSignal | undefined;
  /** Headers added to the API request (e.g. the mock's `Prefer`); never sent to image URLs. Default: none. */
  headers?: Record<string, string> | undefined;
}

/** A downloaded image of a batch. */
export interface DownloadedImage {
  /** The image job it belongs to. */
  jobid: string;
  /** Where it was downloaded from: the job's `response.image.url`. */
  url: string;
  bytes: Uint8Array;
  /** The CDN's Content-Type, e.g. `image/jpeg`; `application/octet-stream` when it sent none. */
  contentType: string;
}

/** What {@link UseapiLumaClient.generateAndDownload} resolves with. */
export interface BatchImages {
  /** The batch as `POST /images` answered it. */
  batch: ImagesCreated;
  /** How each of its images ended. */
  outcome: BatchOutcome;
  /** The images that completed, downloaded, in the order of `jobids`. */
  images: DownloadedImage[];
}

/** The four image jobs of a batch, as one poll of each answered: what `jobs.status` reports. */
export interface BatchJobs {
  /** The batch's `jobid`. */
  jobid: string;
  /** Each image job, in the order of `jobids`. */
  images: ImageJob[];
}

/** What `jobs.submit` takes beyond the common fields: any field of the useapi.net images body. */
export type UseapiLumaExtra = Partial<ImagesRequest>;

/** Options of {@link UseapiLumaClient.uploadAsset}. */
export interface UploadAssetOptions extends CallOptions {
  /**
   * The image's type, sent as `Content-Type`. Default: the Blob's own `type`; bytes without one
   * need it. The API takes `image/jpeg`, `image/png` and `image/webp` and answers 400 to others.
   */
  contentType?: AssetContentType;
}

/** How one image of a batch ended. */
export type ImageOutcome =
  /** The image is ready at `url` (the job's `response.image.url`, a public CDN URL). */
  | { jobid: string; outcome: 'completed'; url: string; job: CompletedImageJob }
  /** The job ended `failed` (or `completed` without an image URL); `error` says why. */
  | { jobid: string; outcome: 'failed'; error: string; job: ImageJob }
  /** The deadline passed before the job settled; `lastJob` is the last status polled. */
  | { jobid: string; outcome: 'timeout'; lastJob: ImageJob | undefined }
  /** Polling it failed (e.g. a `UseapiLumaError` 404), after any retries. */
  | { jobid: string; outcome: 'error'; error: unknown; lastJob: ImageJob | undefined };

/** What {@link UseapiLumaClient.waitForBatch} resolves with. */
export interface BatchOutcome {
  /** The batch's primary job id, when the batch passed in had one. */
  jobid: string | undefined;
  /** `completed` if any image completed, else `failed`: the rule of the page's callbacks. */
  status: 'completed' | 'failed';
  /** One outcome per image job, in the order of `jobids`. */
  images: ImageOutcome[];
}

/** What {@link WaitForBatchOptions.onProgress} is told: each status polled, then each image's outcome. */
export type BatchProgress =
  | { type: 'status'; jobid: string; index: number; job: ImageJob; attempt: number; settled: number; total: number; elapsedMs: number }
  | { type: 'settled'; jobid: string; index: number; image: ImageOutcome; settled: number; total: number; elapsedMs: number };

/**
 * Options of {@link UseapiLumaClient.waitForBatch}: one deadline (`timeoutMs`, default 600 s) and
 * one `signal` for all the images. Each image is polled every `intervalMs` (default here 5000)
 * times `backoffFactor` (default here 1), the page's own cadence; see `waitForJob` in
 * `@imagegen/client-kit` for the other options and their defaults.
 */
export interface WaitForBatchOptions
  extends Omit<WaitForJobsOptions<string, ImageJob>, 'jobs' | 'getStatus' | 'isTerminal' | 'onProgress'> {
  /** Called with every status polled and every image's outcome as it settles. Default: none. */
  onProgress?: (update: BatchProgress) => void;
}

export interface UseapiLumaClient {
  /** The typed openapi-fetch client underneath, for anything the helpers below do not cover. */
  readonly raw: Client<paths>;
  /**
   * The interface every client of this project shares (submit, status, wait, cancel, download,
   * generate): one submission is a batch of four image jobs, polled together; `cancel` deletes the
   * batch. useapi.net documents no idempotency key: a submission is never repeated.
   */
  readonly jobs: ImageJobClient<UseapiLumaExtra, BatchJobs>;
  /**
   * `POST /images`: starts a batch of four images. An object is sent as JSON; a `FormData` as
   * `multipart/form-data` (see {@link imagesFormData}). Never retried.
   */
  createImages(body: ImagesRequest | FormData, options?: CallOptions): Promise<ImagesCreated>;
  /** `GET /jobs/{jobid}`: the job's current record. */
  getJob(jobid: string, options?: CallOptions): Promise<ImageJob>;
  /**
   * `DELETE /jobs/{jobid}`: removes a job. A batch's `jobid` frees its slot at once, stopping images
   * still generating; an image job can be deleted once settled (409 before).
   */
  deleteJob(jobid: string, options?: CallOptions): Promise<JobDeleted>;
  /** `POST /assets/{email}`: uploads a reference image; its `assetRef` goes in `imageRef1`..`imageRef4`. Never retried. */
  uploadAsset(email: string, image: Blob | ArrayBuffer | Uint8Array, options?: UploadAssetOptions): Promise<AssetUploaded>;
  /**
   * Polls every image job of a batch under one deadline and one signal, and resolves with each
   * image's outcome: some may complete while others fail or time out. Rejects only when the signal
   * aborts (with its reason) or `onProgress` throws.
   */
  waitForBatch(batch: { jobid?: string; jobids: readonly string[] }, options?: WaitForBatchOptions): Promise<BatchOutcome>;
  /** Downloads one image URL (`response.image.url`) with a bare GET: no token, no cookies. */
  downloadImage(url: string, options?: CallOptions): Promise<Omit<DownloadedImage, 'jobid'>>;
  /**
   * Starts a batch, waits for its four images and downloads every one that completed: the page's
   * flow in one call. Rejects with a `JobFailedError` when none completed.
   */
  generateAndDownload(
    body: ImagesRequest | FormData,
    options?: CallOptions & { wait?: Omit<WaitForBatchOptions, 'signal'> },
  ): Promise<BatchImages>;
}

/** The page's own examples poll every 5 seconds. */
const PAGE_POLL_INTERVAL_MS = 5_000;

/** Creates a typed useapi.net Luma client. Every non-2xx answer is thrown as a `UseapiLumaError`. */
export function createUseapiLumaClient(options: UseapiLumaClientOptions): UseapiLumaClient {
  const token = requireApiKey(options.token, { client: 'createUseapiLumaClient', option: 'token', variable: 'USEAPI_TOKEN' });
  const baseFetch = withNetworkErrors(options.fetch ?? globalThis.fetch, { vendor: VENDOR });
  // useapi.net honours no idempotency header, so no header a caller adds to a raw POST can make it repeat.
  const retryingFetch =
    options.retry === false ? baseFetch : createRetryingFetch(baseFetch, { ...options.retry, ...REPEATABLE_ONLY });
  const raw = createClient<paths>({
    baseUrl: options.baseUrl,
    fetch: (request) => retryingFetch(request),
    pathSerializer: segmentPathSerializer,
  });
  raw.use(bearerAuth(token));

  const client: Omit<UseapiLumaClient, 'jobs'> = {
    raw,

    async createImages(body, call = {}) {
      const { data, error, response } = await raw.POST('/images', {
        // openapi-fetch sends a FormData as multipart/form-data with its boundary; the spec gives
        // both media types the same fields, so the JSON type stands for either.
        body: body as ImagesRequest,
        headers: call.headers,
        signal: call.signal,
      });
      if (data === undefined) throw useapiLumaErrorFromResponse(response, error, { method: 'POST' });
      return data;
    },

    async getJob(jobid, call = {}) {
      const { data, error, response } = await raw.GET('/jobs/{jobid}', {
        params: { path: { jobid } },
        headers: call.headers,
        signal: call.signal,
      });
      if (data === undefined) throw useapiLumaErrorFromResponse(response, error, { method: 'GET' });
      return data;
    },

    async deleteJob(jobid, call = {}) {
      const { data, error, response } = await raw.DELETE('/jobs/{jobid}', {
        params: { path: { jobid } },
        headers: call.headers,
        signal: call.signal,
      });
      if (data === undefined) throw useapiLumaErrorFromResponse(response, error, { method: 'DELETE' });
      return data;
    },

    async uploadAsset(email, image, call = {}) {
      const contentType = call.contentType ?? (image instanceof Blob ? image.type : '');
      if (contentType === '') {
        throw new TypeError(
          `uploadAsset needs the image type: pass a Blob with a type, or options.contentType (${ASSET_CONTENT_TYPES.join(', ')})`,
        );
      }
      const { data, error, response } = await raw.POST('/assets/{email}', {
        params: { path: { email } },
        // The body is the image's raw bytes, sent as they are.
        body: image as unknown as string,
        bodySerializer: (bytes: unknown) => bytes,
        headers: { ...call.headers, 'Content-Type': contentType },
        signal: call.signal,
      });
      if (data === undefined) throw useapiLumaErrorFromResponse(response, error, { method: 'POST' });
      return data;
    },

    async waitForBatch(batch, wait = {}) {
      const { onProgress, intervalMs = PAGE_POLL_INTERVAL_MS, backoffFactor = 1, ...polling } = wait;
      if (batch.jobids.length === 0) throw new TypeError('waitForBatch needs at least one image job id');
      const outcomes = await waitForJobs<string, ImageJob>({
        ...polling,
        intervalMs,
        backoffFactor,
        jobs: batch.jobids,
        getStatus: (jobid, signal) => client.getJob(jobid, { signal }),
        isTerminal: (job) => isTerminalJobStatus(job.status),
        onProgress:
          onProgress &&
          ((update) => {
            const { key: jobid, ...rest } = update;
            if (rest.type === 'status') onProgress({ ...rest, jobid });
            else {
              const { outcome, ...counts } = rest;
              onProgress({ ...counts, jobid, image: imageOutcome(jobid, outcome) });
            }
          }),
      });
      const images = outcomes.map((outcome, index) => imageOutcome(batch.jobids[index] ?? '', outcome));
      return {
        jobid: batch.jobid,
        status: images.some((image) => image.outcome === 'completed') ? 'completed' : 'failed',
        images,
      };
    },

    async downloadImage(url, call = {}) {
      const response = await fetchWithoutCredentials(url, { fetch: retryingFetch, ...(call.signal ? { signal: call.signal } : {}) });
      return { url, bytes: await readResponseBytes(response), contentType: response.headers.get('content-type') ?? 'application/octet-stream' };
    },

    async generateAndDownload(body, call = {}) {
      const { created, job: outcome, result: images } = await runJob({
        signal: call.signal,
        create: (signal) => client.createImages(body, { signal, headers: call.headers }),
        wait: (batch, signal) => client.waitForBatch(batch, { ...call.wait, signal }),
        download: async (batchOutcome, signal) => {
          const completed = batchOutcome.images.filter((image) => image.outcome === 'completed');
          if (completed.length === 0) throw batchFailed(batchOutcome);
          const downloaded: DownloadedImage[] = [];
          for (const image of completed) downloaded.push({ jobid: image.jobid, ...(await client.downloadImage(image.url, { signal })) });
          return downloaded;
        },
      });
      return { batch: created, outcome, images };
    },
  };

  return Object.assign(client, {
    jobs: createImageJobs<UseapiLumaExtra, BatchJobs>({
      vendor: VENDOR,
      baseUrl: options.baseUrl,
      capabilities: { cancel: true, idempotentSubmit: false, aspectRatio: true, n: false },
      pollDefaults: { intervalMs: PAGE_POLL_INTERVAL_MS, backoffFactor: 1 },
      async submit(request, call) {
        const created = await client.createImages(
          {
            prompt: request.prompt,
            ...(request.model === undefined ? {} : { model: request.model as ImagesRequest['model'] }),
            ...(request.aspectRatio === undefined ? {} : { aspect_ratio: request.aspectRatio as AspectRatio }),
            ...request.extra,
          },
          call,
        );
        return { id: created.jobid, parts: created.jobids, raw: created };
      },
      async poll(handle, call) {
        const jobids = handle.parts ?? [handle.id];
        return { jobid: handle.id, images: await Promise.all(jobids.map((jobid) => client.getJob(jobid, call))) };
      },
      describe(batch) {
        const settled = batch.images.filter((image) => isTerminalJobStatus(image.status));
        const outputs = batch.images.flatMap((image) => (image.status === 'completed' && image.response ? [image.response.image.url] : []));
        let state: JobState;
        if (settled.length < batch.images.length) state = batch.images.every((image) => image.status === 'created') ? 'queued' : 'running';
        else state = outputs.length > 0 ? 'succeeded' : 'failed';
        return { state, outputs, progress: Math.round((100 * settled.length) / Math.max(batch.images.length, 1)) };
      },
      failure: (batch, handle) =>
        new JobFailedError(batch, `useapi.net batch ${batch.jobid} produced no image: ${batch.images.map((image) => image.error ?? image.status).join('; ')}`, {
          vendor: VENDOR,
          handle,
        }),
      downloadOutput: (url, call) => client.downloadImage(url, { signal: call.signal }),
      async cancel(handle, call) {
        await client.deleteJob(handle.id, call);
      },
    }),
  });
}

const VENDOR = 'useapi-luma';
// Reads and DELETE (deleting twice deletes once) may repeat; POSTs never do.
const REPEATABLE_ONLY = { methods: ['GET', 'HEAD', 'DELETE'], idempotencyHeader: false } as const;

function batchFailed(outcome: BatchOutcome): JobFailedError<BatchOutcome> {
  const reasons = outcome.images.map((image) => (image.outcome === 'failed' ? image.error : image.outcome === 'error' ? String(image.error) : image.outcome));
  return new JobFailedError(outcome, `useapi.net batch ${outcome.jobid ?? ''} produced no image: ${reasons.join('; ')}`, { vendor: VENDOR });
}

/**
 * Builds the `multipart/form-data` body of `POST /images` from typed fields, for
 * `createImages(imagesFormData(request))`: the same fields as the JSON body, as text parts.
 * multipart/form-data sends every line break as CRLF, so a prompt's lone `\n` arrives as `\r\n`;
 * send JSON when that matters.
 */
export function imagesFormData(request: ImagesRequest): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(request)) {
    if (value !== undefined) form.append(name, String(value));
  }
  return form;
}

function imageOutcome(jobid: string, outcome: JobOutcome<ImageJob>): ImageOutcome {
  switch (outcome.state) {
    case 'timeout':
      return { jobid, outcome: 'timeout', lastJob: outcome.lastJob };
    case 'error':
      return { jobid, outcome: 'error', error: outcome.error, lastJob: outcome.lastJob };
    case 'terminal': {
      const { job } = outcome;
      const url = job.response?.image.url;
      if (job.status === 'completed' && url !== undefined) {
        return { jobid, outcome: 'completed', url, job: job as CompletedImageJob };
      }
      const error =
        job.status === 'completed'
          ? `useapi.net image job ${jobid} completed without response.image.url`
          : (job.error ?? `useapi.net image job ${jobid} failed without a reason`);
      return { jobid, outcome: 'failed', error, job };
    }
  }
}
