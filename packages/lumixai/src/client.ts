import { randomUUID } from 'node:crypto';

import {
  anySignal,
  createImageJobs,
  createRetryingFetch,
  filenameFromContentDisposition,
  defaultHeader,
  pathSegment,
  readResponseBytes,
  requireApiKey,
  runJob,
  saveResponseToFile,
  serializeJobHandle,
  waitForJob,
  withNetworkErrors,
} from '@imagegen/client-kit';
import type { ImageJobClient, JobState, RetryingFetchOptions, WaitForJobOptions } from '@imagegen/client-kit';
import createClient from 'openapi-fetch';
import type { Client } from 'openapi-fetch';

import type { paths } from '@imagegen/spec/lumixai/types';
import { LumixAIJobFailedError, lumixAIErrorFromResponse } from './lumixai-error.js';
import { IDEMPOTENCY_HEADER, idempotencyKeyMiddleware } from './middleware.js';
import { isTerminalJobStatus } from './types.js';
import type {
  AspectRatio,
  ImageGenerationRequest,
  JobStatus,
  ImageGenerationResponse,
  ImageJob,
  ImageJobCreateResponse,
  Model,
} from './types.js';

/** Options of {@link createLumixAIClient}. */
export interface LumixAIClientOptions {
  /**
   * The raw `air_live` key (`process.env.LUMIXAI_API_KEY`), sent as `X-API-Key`. Needed for
   * `/v1/images/*`; leave the option out for a client of the public model catalog only. Passed but
   * `undefined` or empty (an unset variable), it is refused at construction. Default: none.
   */
  apiKey?: string | undefined;
  /** Base URL up to and including `/api/backend`, e.g. `http://127.0.0.1:4010/lumixai/api/backend`. Required. */
  baseUrl: string;
  /** The fetch to send requests with; tests pass their own. Default: `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch | undefined;
  /**
   * Retries on 429 and 503, honouring Retry-After; `false` sends every request once. Job-creating
   * POSTs always carry an Idempotency-Key, so a retry returns the original job. Default: the
   * `createRetryingFetch` defaults (4 attempts, full-jitter backoff from 500 ms).
   */
  retry?: RetryingFetchOptions | false | undefined;
  /** Makes idempotency keys for job-creating POSTs that the caller gave none. Default: `crypto.randomUUID`. */
  newIdempotencyKey?: (() => string) | undefined;
}

/** Per-call options. */
export interface CallOptions {
  /** Aborts the request. Default: none. */
  signal?: AbortSignal | undefined;
  /** Headers added to the request (e.g. the mock's `Prefer`). Default: none. */
  headers?: Record<string, string> | undefined;
}

/** Options of the calls that create a job. */
export interface CreateOptions extends CallOptions {
  /**
   * Reuse the same key to retry this logical request safely across processes. Default: a fresh
   * key per call (retries within the call reuse it).
   */
  idempotencyKey?: string | undefined;
}

/** Polling options; see `waitForJob` in `@imagegen/client-kit` for each default. */
export type WaitOptions = Omit<WaitForJobOptions<ImageJob>, 'getStatus' | 'isTerminal' | 'handle'>;

/** A downloaded image. */
export interface DownloadedImage {
  bytes: Uint8Array;
  /** The response's Content-Type, e.g. `image/png`. */
  contentType: string;
  /** The file name from Content-Disposition, when the server sent one. */
  filename: string | undefined;
}

/** A job that finished with `status: "done"`, so `data` holds its results. */
export type DoneImageJob = ImageJob & { status: 'done'; data: NonNullable<ImageJob['data']> };

/** What `jobs.submit` takes beyond the common fields: any field of the LumixAI body. */
export type LumixAIExtra = Partial<ImageGenerationRequest>;

export interface LumixAIClient {
  /** The typed openapi-fetch client underneath, for anything the helpers below do not cover. */
  readonly raw: Client<paths>;
  /**
   * The interface every client of this project shares (submit, status, wait, download, generate),
   * over async jobs; submissions carry an Idempotency-Key, so repeating one never bills twice.
   */
  readonly jobs: ImageJobClient<LumixAIExtra, ImageJob>;
  /** `GET /v1/models`: the public, active models. */
  listModels(options?: CallOptions): Promise<Model[]>;
  /** `POST /v1/images/jobs`: queues a generation (202). */
  createJob(body: ImageGenerationRequest, options?: CreateOptions): Promise<ImageJobCreateResponse>;
  /** `GET /v1/images/jobs/{id}`: the job's current state. */
  getJob(id: string, options?: CallOptions): Promise<ImageJob>;
  /** Polls until the job is terminal; throws {@link LumixAIJobFailedError} when it ended in `error`. */
  waitForJob(id: string, options?: WaitOptions): Promise<DoneImageJob>;
  /** `POST /v1/images/generations`: blocks until the image is generated. */
  generate(body: ImageGenerationRequest, options?: CreateOptions): Promise<ImageGenerationResponse>;
  /** Downloads a result by its `download_url` (as the API returns it) into memory. */
  download(downloadUrl: string, options?: CallOptions): Promise<DownloadedImage>;
  /** Streams a result to `filePath`; the file appears only once complete. */
  downloadToFile(downloadUrl: string, filePath: string, options?: CallOptions): Promise<{ path: string; bytes: number }>;
  /** Create a job, wait for it, download its first image: the documented flow in one call. */
  generateAndDownload(
    body: ImageGenerationRequest,
    options?: CreateOptions & { wait?: WaitOptions },
  ): Promise<{ job: DoneImageJob; image: DownloadedImage }>;
}

const DOWNLOAD_PATH = '/v1/images/results/{id}/download' satisfies keyof paths;

/** Creates a typed LumixAI client. Every non-2xx answer is thrown as a `LumixAIError`. */
export function createLumixAIClient(options: LumixAIClientOptions): LumixAIClient {
  const baseFetch = withNetworkErrors(options.fetch ?? globalThis.fetch, { vendor: VENDOR, idempotencyHeader: IDEMPOTENCY_HEADER });
  const fetch = options.retry === false ? baseFetch : createRetryingFetch(baseFetch, options.retry);
  const raw = createClient<paths>({ baseUrl: options.baseUrl, fetch: (request) => fetch(request) });
  if ('apiKey' in options) {
    const apiKey = requireApiKey(options.apiKey, {
      client: 'createLumixAIClient',
      option: 'apiKey',
      variable: 'LUMIXAI_API_KEY',
      looksLike: 'air_live_...',
    });
    raw.use(defaultHeader('X-API-Key', apiKey));
  }
  raw.use(idempotencyKeyMiddleware(options.newIdempotencyKey ?? randomUUID));

  const idempotencyHeaders = (key: string | undefined) =>
    key === undefined ? undefined : { 'Idempotency-Key': key };

  const client: Omit<LumixAIClient, 'jobs'> = {
    raw,

    async listModels(call = {}) {
      const { data, error, response } = await raw.GET('/v1/models', { signal: call.signal, headers: call.headers });
      if (data === undefined) throw lumixAIErrorFromResponse(response, error, GET);
      return data.data;
    },

    async createJob(body, call = {}) {
      const { data, error, response } = await raw.POST('/v1/images/jobs', {
        body,
        params: { header: idempotencyHeaders(call.idempotencyKey) },
        headers: call.headers,
        signal: call.signal,
      });
      if (data === undefined) throw lumixAIErrorFromResponse(response, error, IDEMPOTENT_POST);
      return data;
    },

    async getJob(id, call = {}) {
      const { data, error, response } = await raw.GET('/v1/images/jobs/{id}', {
        params: { path: { id: pathSegment(id, 'LumixAI job id') } },
        headers: call.headers,
        signal: call.signal,
      });
      if (data === undefined) throw lumixAIErrorFromResponse(response, error, GET);
      return data;
    },

    async waitForJob(id, wait = {}) {
      const job = await waitForJob({
        ...wait,
        handle: serializeJobHandle({ vendor: VENDOR, baseUrl: options.baseUrl, id }),
        getStatus: (signal) => client.getJob(id, { signal }),
        isTerminal: (polled) => isTerminalJobStatus(polled.status),
      });
      if (job.status !== 'done' || job.data === undefined || job.data.length === 0) {
        throw jobFailed(job);
      }
      return job as DoneImageJob;
    },

    async generate(body, call = {}) {
      const { data, error, response } = await raw.POST('/v1/images/generations', {
        body,
        params: { header: idempotencyHeaders(call.idempotencyKey) },
        headers: call.headers,
        signal: call.signal,
      });
      if (data === undefined) throw lumixAIErrorFromResponse(response, error, IDEMPOTENT_POST);
      return data;
    },

    async download(downloadUrl, call = {}) {
      const response = await fetchResult(downloadUrl, call);
      return {
        bytes: await readResponseBytes(response),
        contentType: response.headers.get('content-type') ?? 'application/octet-stream',
        filename: filenameFromContentDisposition(response.headers.get('content-disposition')),
      };
    },

    async downloadToFile(downloadUrl, filePath, call = {}) {
      const response = await fetchResult(downloadUrl, call);
      return saveResponseToFile(response, filePath, { signal: call.signal });
    },

    async generateAndDownload(body, call = {}) {
      const { job, result } = await runJob({
        signal: call.signal,
        create: (signal) => client.createJob(body, { idempotencyKey: call.idempotencyKey, signal }),
        // Either signal stops the wait: `signal` alone would silently drop `call.wait.signal`.
        wait: (created, signal) =>
          client.waitForJob(created.id, { ...call.wait, signal: anySignal(signal, call.wait?.signal) }),
        download: (done, signal) => client.download(firstDownloadUrl(done), { signal }),
      });
      return { job, image: result };
    },
  };

  async function fetchResult(downloadUrl: string, call: CallOptions): Promise<Response> {
    const id = resultIdFromDownloadUrl(downloadUrl);
    const { response, error } = await raw.GET(DOWNLOAD_PATH, {
      params: { path: { id } },
      parseAs: 'stream',
      headers: call.headers,
      signal: call.signal,
    });
    if (!response.ok) throw lumixAIErrorFromResponse(response, error, GET);
    return response;
  }

  return Object.assign(client, {
    jobs: createImageJobs<LumixAIExtra, ImageJob>({
      vendor: VENDOR,
      baseUrl: options.baseUrl,
      capabilities: { cancel: false, idempotentSubmit: true, aspectRatio: true, n: false },
      async submit(request, call) {
        const body: ImageGenerationRequest = {
          model: request.model ?? DEFAULT_MODEL,
          prompt: request.prompt,
          ...(request.aspectRatio === undefined ? {} : { aspectRatio: request.aspectRatio as AspectRatio }),
          ...request.extra,
        };
        const created = await client.createJob(body, call);
        return { id: created.id, raw: created };
      },
      poll: (handle, call) => client.getJob(handle.id, call),
      describe: (job) => ({
        state: JOB_STATES[job.status],
        outputs: job.status === 'done' ? (job.data ?? []).map((result) => result.download_url) : [],
      }),
      failure: (job, handle) => jobFailed(job, handle),
      downloadOutput: (url, call) => client.download(url, call),
    }),
  });
}

const VENDOR = 'lumixai';
/** The model of the documentation's own examples. */
const DEFAULT_MODEL = 'imagen-nano-banana-2-flash';
const GET = { method: 'GET' } as const;
// Job-creating POSTs always carry an Idempotency-Key (the middleware adds one), which LumixAI honours.
const IDEMPOTENT_POST = { method: 'POST', idempotent: true } as const;

const JOB_STATES: Record<JobStatus, JobState> = { pending: 'queued', running: 'running', done: 'succeeded', error: 'failed' };

function jobFailed(job: ImageJob, handle?: string): LumixAIJobFailedError {
  return new LumixAIJobFailedError(job, job.error ?? `LumixAI job ${job.id} ended with status ${job.status}`, {
    vendor: VENDOR,
    handle,
  });
}

function firstDownloadUrl(job: DoneImageJob): string {
  const first = job.data[0];
  if (first === undefined) throw new LumixAIJobFailedError(job, `LumixAI job ${job.id} is done but lists no result`);
  return first.download_url;
}

/**
 * `download_url` is documented as a path relative to the base URL; it is matched against the
 * spec's own path template, so the download goes through the typed client and its auth.
 */
export function resultIdFromDownloadUrl(downloadUrl: string): string {
  const pathname = downloadUrl.startsWith('/') ? downloadUrl.split('?')[0] ?? '' : new URL(downloadUrl).pathname;
  const [before, after] = DOWNLOAD_PATH.split('{id}') as [string, string];
  const at = pathname.lastIndexOf(before);
  if (at === -1 || !pathname.endsWith(after)) {
    throw new TypeError(`Not a LumixAI download_url: ${downloadUrl} (expected ${DOWNLOAD_PATH})`);
  }
  const id = pathname.slice(at + before.length, pathname.length - after.length);
  if (id === '' || id.includes('/')) throw new TypeError(`Not a LumixAI download_url: ${downloadUrl}`);
  let decoded: string;
  try {
    decoded = decodeURIComponent(id);
  } catch {
    throw new TypeError(`Not a LumixAI download_url: ${downloadUrl} (malformed percent-encoding)`);
  }
  // The path serializer leaves dots unescaped, so URL parsing would resolve `..` to another endpoint.
  if (decoded === '.' || decoded === '..') throw new TypeError(`Not a LumixAI download_url: ${downloadUrl}`);
  return decoded;
}
