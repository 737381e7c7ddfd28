import {
  JobFailedError,
  anySignal,
  bearerAuth,
  createImageJobs,
  createRetryingFetch,
  defaultHeader,
  fetchWithoutCredentials,
  filenameFromContentDisposition,
  readResponseBytes,
  requireApiKey,
  runJob,
  saveResponseToFile,
  serializeJobHandle,
  waitForJob,
  withNetworkErrors,
} from '@imagegen/client-kit';
import type { ImageJobClient, RetryingFetchOptions, SavedFile, WaitForJobOptions } from '@imagegen/client-kit';
import createClient from 'openapi-fetch';
import type { Client } from 'openapi-fetch';

import { formBody } from './form.js';
import type { paths } from '@imagegen/spec/lumozai/types';
import { LumozAIRequestFailedError, lumozAIErrorFromResponse } from './lumozai-error.js';
import { rateLimitFromHeaders } from './rate-limit.js';
import type { RateLimit } from './rate-limit.js';
import { lumozAIRetryPolicy } from './retry-policy.js';
import type {
  CheckCompletedData,
  CheckData,
  CheckProcessingData,
  RequestId,
  RunAcceptedData,
  RunCompletedData,
  RunParameters,
} from './types.js';

/** Options of {@link createLumozAIClient}. */
export interface LumozAIClientOptions {
  /**
   * Your API key (e.g. `process.env.LUMOZAI_API_KEY`), sent as `Authorization: Bearer <apiKey>` to
   * the API (never to output downloads). `undefined` or empty is refused at construction. Required.
   */
  apiKey: string | undefined;
  /** Base URL up to and including `/api/v4`, e.g. `https://lumozai.com/api/v4` or `http://127.0.0.1:4010/lumozai/api/v4`. Required. */
  baseUrl: string;
  /** The fetch to send requests with; tests pass their own. Default: `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch | undefined;
  /**
   * Retries; `false` sends every request once. `POST /check` is retried like a GET; `POST /run` only
   * after a 429, which started nothing; a 429 without `Retry-After` waits until `X-RateLimit-Reset`
   * unless that is further off than `maxRetryAfterMs` (see {@link lumozAIRetryPolicy}). Your own
   * `shouldRetry` or `delayFromResponse` replaces that policy. Default: that policy with the
   * `createRetryingFetch` defaults (4 attempts, full-jitter backoff from 500 ms, waits up to 120 s).
   */
  retry?: RetryingFetchOptions | false | undefined;
  /**
   * Called with the rate-limit headers of every API answer that carries them, retried attempts and
   * errors included, e.g. to slow down before the hourly limit runs out. Default: none.
   */
  onRateLimit?: ((rateLimit: RateLimit, answer: { status: number; url: string }) => void) | undefined;
}

/** Per-call options. */
export interface CallOptions {
  /** Aborts the request. Default: none. */
  signal?: AbortSignal | undefined;
  /** Headers added to the API request (e.g. the mock's `Prefer`); never sent to output URLs. Default: none. */
  headers?: Record<string, string> | undefined;
}

/** What `jobs.submit` takes beyond the common fields: any model parameter, as `run()` sends it. */
export type LumozAIExtra = Partial<RunParameters>;

/** What `run()` answers: the finished run, or the `request_id` to wait on. */
export type RunResult =
  | {
      /** The model finished within the request: `data.output` is ready. */
      finished: true;
      data: RunCompletedData;
    }
  | {
      /** The model needs more time: wait on `data.request_id` with `waitForRequest()` or `check()`. */
      finished: false;
      data: RunAcceptedData;
    };

/** A run that has not failed, as `check()` answers it. */
export type CheckResult = CheckProcessingData | CheckCompletedData;

/** A run whose output is ready, from `run()` or `check()`. */
export type FinishedRun = RunCompletedData | CheckCompletedData;

/** Polling options; see `waitForJob` in `@imagegen/client-kit` for each default. */
export interface WaitOptions extends Omit<WaitForJobOptions<CheckResult>, 'getStatus' | 'isTerminal' | 'handle'> {
  /** Called with `progress` (0-100) of every `processing` answer. Default: none. */
  onProgress?: (progress: number, data: CheckProcessingData) => void;
}

/** A downloaded output. */
export interface DownloadedOutput {
  bytes: Uint8Array;
  /** The response's Content-Type, e.g. `image/jpeg`. */
  contentType: string;
  /** The file name from Content-Disposition, else the last segment of the URL's path. */
  filename: string | undefined;
}

export interface LumozAIClient {
  /** The typed openapi-fetch client underneath (JSON bodies by default), for anything the helpers below do not cover. */
  readonly raw: Client<paths>;
  /**
   * The interface every client of this project shares (submit, status, wait, download, generate);
   * a run the model finished within the request is not polled. LumozAI documents no idempotency
   * key: a run is never repeated once it may have started.
   */
  readonly jobs: ImageJobClient<LumozAIExtra, CheckData>;
  /** `POST /run` as a form: the finished run, or the `request_id` to wait on. */
  run(parameters: RunParameters, options?: CallOptions): Promise<RunResult>;
  /**
   * `POST /check`: the run's state, processing or completed. A failed run (HTTP 200,
   * `success: false`) throws {@link LumozAIRequestFailedError}.
   */
  check(requestId: RequestId, options?: CallOptions): Promise<CheckResult>;
  /** Polls `check()` until the run is completed; a failed run throws {@link LumozAIRequestFailedError}. */
  waitForRequest(requestId: RequestId, options?: WaitOptions): Promise<CheckCompletedData>;
  /** Downloads an `output` URL into memory with a plain GET that carries no API key. */
  download(outputUrl: string, options?: CallOptions): Promise<DownloadedOutput>;
  /** Streams an `output` URL to `filePath` (no API key sent); the file appears only once complete. */
  downloadToFile(outputUrl: string, filePath: string, options?: CallOptions): Promise<SavedFile>;
  /** Run, wait when the model needs more time, and download the output: the documented flow in one call. */
  runAndDownload(
    parameters: RunParameters,
    options?: CallOptions & { wait?: WaitOptions },
  ): Promise<{ result: FinishedRun; file: DownloadedOutput }>;
}

// Both operations take a form body, as in the documentation's curl examples.
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' } as const;

/**
 * Creates a typed LumozAI client. Every answer that is not `success: true` is thrown: a
 * {@link LumozAIError} (a {@link LumozAIValidationError} for `validation_error`), or a
 * {@link LumozAIRequestFailedError} for a failed run.
 */
export function createLumozAIClient(options: LumozAIClientOptions): LumozAIClient {
  const apiKey = requireApiKey(options.apiKey, { client: 'createLumozAIClient', option: 'apiKey', variable: 'LUMOZAI_API_KEY' });
  const baseFetch = withNetworkErrors(options.fetch ?? globalThis.fetch, { vendor: VENDOR });
  const withRetry = (inner: typeof fetch): typeof fetch =>
    options.retry === false
      ? inner
      : createRetryingFetch(inner, { ...lumozAIRetryPolicy(options.baseUrl), ...options.retry });
  const apiFetch = withRetry(observeRateLimits(baseFetch, options.onRateLimit));
  // Output URLs may be on another host: they get a plain fetch, never the API key.
  const downloadFetch = withRetry(baseFetch);

  const raw = createClient<paths>({ baseUrl: options.baseUrl, fetch: (request) => apiFetch(request) });
  raw.use(bearerAuth(apiKey));
  // As the documentation's examples do: without it, a Laravel-style API may answer errors with HTML.
  raw.use(defaultHeader('Accept', 'application/json'));

  const client: Omit<LumozAIClient, 'jobs'> = {
    raw,

    async run(parameters, call = {}) {
      const { data, error, response } = await raw.POST('/run', {
        body: parameters,
        bodySerializer: formBody,
        headers: { ...call.headers, ...FORM },
        signal: call.signal,
      });
      if (data?.success !== true) throw lumozAIErrorFromResponse(response, data ?? error, { method: 'POST' });
      return 'output' in data.data ? { finished: true, data: data.data } : { finished: false, data: data.data };
    },

    async check(requestId, call = {}) {
      if (!Number.isSafeInteger(requestId) || requestId < 1) {
        throw new TypeError(`Not a LumozAI request_id: ${requestId} (expected a positive integer below 2^53)`);
      }
      const { data, error, response } = await raw.POST('/check', {
        body: { request_id: requestId },
        bodySerializer: formBody,
        headers: { ...call.headers, ...FORM },
        signal: call.signal,
      });
      // POST /check only reads: an answer to it cannot have started anything.
      if (data?.success !== true) throw lumozAIErrorFromResponse(response, data ?? error, { method: 'GET' });
      return data.data;
    },

    async waitForRequest(requestId, wait = {}) {
      const { onProgress, onStatus, ...polling } = wait;
      const done = await waitForJob({
        ...polling,
        handle: serializeJobHandle({ vendor: VENDOR, baseUrl: options.baseUrl, id: String(requestId) }),
        getStatus: (signal) => client.check(requestId, { signal }),
        isTerminal: (data): data is CheckCompletedData => data.status === 'completed',
        onStatus: (data, info) => {
          if (data.status === 'processing') onProgress?.(data.progress, data);
          onStatus?.(data, info);
        },
      });
      return done;
    },

    async download(outputUrl, call = {}) {
      const { response, url } = await fetchOutput(outputUrl, call.signal);
      return {
        bytes: await readResponseBytes(response),
        contentType: response.headers.get('content-type') ?? 'application/octet-stream',
        filename: filenameFromContentDisposition(response.headers.get('content-disposition')) ?? lastPathSegment(url),
      };
    },

    async downloadToFile(outputUrl, filePath, call = {}) {
      const { response } = await fetchOutput(outputUrl, call.signal);
      return saveResponseToFile(response, filePath, { signal: call.signal });
    },

    async runAndDownload(parameters, call = {}) {
      const { job, result } = await runJob({
        signal: call.signal,
        create: (signal) => client.run(parameters, { signal }),
        // Either signal stops the wait: `signal` alone would silently drop `call.wait.signal`.
        wait: async (started, signal): Promise<FinishedRun> =>
          started.finished
            ? started.data
            : client.waitForRequest(started.data.request_id, { ...call.wait, signal: anySignal(signal, call.wait?.signal) }),
        download: (finished, signal) => client.download(finished.output, { signal }),
      });
      return { result: job, file: result };
    },
  };

  async function fetchOutput(outputUrl: string, signal: AbortSignal | undefined): Promise<{ response: Response; url: URL }> {
    const url = outputUrlOf(outputUrl, options.baseUrl);
    const response = await fetchWithoutCredentials(url, { fetch: downloadFetch, ...(signal ? { signal } : {}) });
    return { response, url };
  }

  return Object.assign(client, {
    jobs: createImageJobs<LumozAIExtra, CheckData>({
      vendor: VENDOR,
      baseUrl: options.baseUrl,
      capabilities: { cancel: false, idempotentSubmit: false, aspectRatio: false, n: false },
      async submit(request, call) {
        const started = await client.run({ model_id: request.model ?? DEFAULT_MODEL, prompt: request.prompt, ...request.extra } as RunParameters, call);
        const id = String(started.data.request_id);
        return started.finished
          ? { id, raw: started.data, job: { ...started.data, status: 'completed' } }
          : { id, raw: started.data };
      },
      async poll(handle, call) {
        try {
          return await client.check(requestIdOf(handle.id), call);
        } catch (error) {
          // A failed run is an answer about the job, not a failed request: the common layer reports it.
          if (error instanceof LumozAIRequestFailedError) return error.job;
          throw error;
        }
      },
      describe: (data) =>
        data.status === 'completed'
          ? { state: 'succeeded', outputs: [data.output] }
          : data.status === 'processing'
            ? { state: 'running', progress: data.progress, outputs: [] }
            : { state: 'failed', outputs: [] },
      failure: (data, handle) =>
        data.status === 'failed'
          ? new LumozAIRequestFailedError(data, data.error, { vendor: VENDOR, handle })
          : new JobFailedError(data, `LumozAI request ${data.request_id} is ${data.status} without an output`, { vendor: VENDOR, handle }),
      downloadOutput: (url, call) => client.download(url, { signal: call.signal }),
    }),
  });
}

const VENDOR = 'lumozai';
/** The model of the documentation's own examples. */
const DEFAULT_MODEL = 'hidream-l1';

function requestIdOf(id: string): RequestId {
  const requestId = Number(id);
  if (!/^\d+$/.test(id) || !Number.isSafeInteger(requestId)) throw new TypeError(`Not a LumozAI request_id: ${JSON.stringify(id)}`);
  return requestId;
}

function observeRateLimits(inner: typeof fetch, onRateLimit: LumozAIClientOptions['onRateLimit']): typeof fetch {
  if (onRateLimit === undefined) return inner;
  return async (input, init) => {
    const response = await inner(input, init);
    const rateLimit = rateLimitFromHeaders(response.headers);
    if (rateLimit !== undefined) onRateLimit(rateLimit, { status: response.status, url: response.url || requestUrl(input) });
    return response;
  };
}

function requestUrl(input: RequestInfo | URL): string {
  if (typeof input === 'string') return input;
  return input instanceof URL ? input.href : input.url;
}

/**
 * The documented outputs are absolute `https://lumozai.com/storage/outputs/...` URLs; a relative one
 * is resolved against the base URL. Only http(s) is fetched, so an answer cannot make the client
 * read a `file:` or `data:` URL.
 */
export function outputUrlOf(outputUrl: string, baseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(outputUrl, baseUrl);
  } catch {
    throw new TypeError(`Not a LumozAI output URL: ${JSON.stringify(outputUrl)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TypeError(`Not a LumozAI output URL: ${outputUrl} (only http and https are downloaded)`);
  }
  return url;
}

function lastPathSegment(url: URL): string | undefined {
  const segment = url.pathname.split('/').pop() ?? '';
  let name: string;
  try {
    name = decodeURIComponent(segment);
  } catch {
    return undefined;
  }
  // A decoded %2F or control character must not smuggle a directory or a terminal escape into a path.
  // eslint-disable-next-line no-control-regex
  name = name.replace(/[/\\\u0000-\u001f\u007f]/g, '').trim();
  return name === '' || name === '.' || name === '..' ? undefined : name;
}
