import { randomUUID } from 'node:crypto';

import {
  anySignal,
  createRetryingFetch,
  filenameFromContentDisposition,
  pathSegment,
  readResponseBytes,
  runJob,
  saveResponseToFile,
  waitForJob,
} from '@imagegen/client-kit';
import type { RetryingFetchOptions, WaitForJobOptions } from '@imagegen/client-kit';
import createClient from 'openapi-fetch';
import type { Client } from 'openapi-fetch';

import type { paths } from './generated/openapi.js';
import { LumixAIJobFailedError, lumixAIErrorFromResponse } from './lumixai-error.js';
import { apiKeyMiddleware, idempotencyKeyMiddleware } from './middleware.js';
import { isTerminalJobStatus } from './types.js';
import type {
  ImageGenerationRequest,
  ImageGenerationResponse,
  ImageJob,
  ImageJobCreateResponse,
  Model,
} from './types.js';

/** Options of {@link createLumixAIClient}. */
export interface LumixAIClientOptions {
  /**
   * The raw `air_live` key, sent as `X-API-Key`. Needed for `/v1/images/*`; the public model
   * catalog works without it. Default: none.
   */
  apiKey?: string;
  /** Base URL up to and including `/api/backend`, e.g. `http://127.0.0.1:4010/lumixai/api/backend`. Required. */
  baseUrl: string;
  /** The fetch to send requests with; tests pass their own. Default: `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch;
  /**
   * Retries on 429 and 503, honouring Retry-After; `false` sends every request once. Job-creating
   * POSTs always carry an Idempotency-Key, so a retry returns the original job. Default: the
   * `createRetryingFetch` defaults (4 attempts, full-jitter backoff from 500 ms).
   */
  retry?: RetryingFetchOptions | false;
  /** Makes idempotency keys for job-creating POSTs that the caller gave none. Default: `crypto.randomUUID`. */
  newIdempotencyKey?: () => string;
}

/** Per-call options. */
export interface CallOptions {
  /** Aborts the request. Default: none. */
  signal?: AbortSignal;
}

/** Options of the calls that create a job. */
export interface CreateOptions extends CallOptions {
  /**
   * Reuse the same key to retry this logical request safely across processes. Default: a fresh
   * key per call (retries within the call reuse it).
   */
  idempotencyKey?: string;
}

/** Polling options; see `waitForJob` in `@imagegen/client-kit` for each default. */
export type WaitOptions = Omit<WaitForJobOptions<ImageJob>, 'getStatus' | 'isTerminal'>;

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

export interface LumixAIClient {
  /** The typed openapi-fetch client underneath, for anything the helpers below do not cover. */
  readonly raw: Client<paths>;
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
  const baseFetch = options.fetch ?? globalThis.fetch;
  const fetch = options.retry === false ? baseFetch : createRetryingFetch(baseFetch, options.retry);
  const raw = createClient<paths>({ baseUrl: options.baseUrl, fetch: (request) => fetch(request) });
  raw.use(apiKeyMiddleware(options.apiKey));
  raw.use(idempotencyKeyMiddleware(options.newIdempotencyKey ?? randomUUID));

  const idempotencyHeaders = (key: string | undefined) =>
    key === undefined ? undefined : { 'Idempotency-Key': key };

  const client: LumixAIClient = {
    raw,

    async listModels(call = {}) {
      const { data, error, response } = await raw.GET('/v1/models', { signal: call.signal });
      if (data === undefined) throw lumixAIErrorFromResponse(response, error);
      return data.data;
    },

    async createJob(body, call = {}) {
      const { data, error, response } = await raw.POST('/v1/images/jobs', {
        body,
        params: { header: idempotencyHeaders(call.idempotencyKey) },
        signal: call.signal,
      });
      if (data === undefined) throw lumixAIErrorFromResponse(response, error);
      return data;
    },

    async getJob(id, call = {}) {
      const { data, error, response } = await raw.GET('/v1/images/jobs/{id}', {
        params: { path: { id: pathSegment(id, 'LumixAI job id') } },
        signal: call.signal,
      });
      if (data === undefined) throw lumixAIErrorFromResponse(response, error);
      return data;
    },

    async waitForJob(id, wait = {}) {
      const job = await waitForJob({
        ...wait,
        getStatus: (signal) => client.getJob(id, { signal }),
        isTerminal: (polled) => isTerminalJobStatus(polled.status),
      });
      if (job.status !== 'done' || job.data === undefined || job.data.length === 0) {
        throw new LumixAIJobFailedError(job, job.error ?? `LumixAI job ${id} ended with status ${job.status}`);
      }
      return job as DoneImageJob;
    },

    async generate(body, call = {}) {
      const { data, error, response } = await raw.POST('/v1/images/generations', {
        body,
        params: { header: idempotencyHeaders(call.idempotencyKey) },
        signal: call.signal,
      });
      if (data === undefined) throw lumixAIErrorFromResponse(response, error);
      return data;
    },

    async download(downloadUrl, call = {}) {
      const response = await fetchResult(downloadUrl, call.signal);
      return {
        bytes: await readResponseBytes(response),
        contentType: response.headers.get('content-type') ?? 'application/octet-stream',
        filename: filenameFromContentDisposition(response.headers.get('content-disposition')),
      };
    },

    async downloadToFile(downloadUrl, filePath, call = {}) {
      const response = await fetchResult(downloadUrl, call.signal);
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

  async function fetchResult(downloadUrl: string, signal: AbortSignal | undefined): Promise<Response> {
    const id = resultIdFromDownloadUrl(downloadUrl);
    const { response, error } = await raw.GET(DOWNLOAD_PATH, {
      params: { path: { id } },
      parseAs: 'stream',
      signal,
    });
    if (!response.ok) throw lumixAIErrorFromResponse(response, error);
    return response;
  }

  return client;
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
