import {
  anySignal,
  createRetryingFetch,
  filenameFromContentDisposition,
  readResponseBytes,
  runJob,
  saveResponseToFile,
  waitForJob,
} from '@imagegen/client-kit';
import type { RetryingFetchOptions, SavedFile, WaitForJobOptions } from '@imagegen/client-kit';
import createClient from 'openapi-fetch';
import type { Client } from 'openapi-fetch';

import { formBody } from './form.js';
import type { paths } from './generated/openapi.js';
import { LumozAIError, lumozAIErrorFromResponse } from './lumozai-error.js';
import { bearerAuthMiddleware } from './middleware.js';
import { rateLimitFromHeaders } from './rate-limit.js';
import type { RateLimit } from './rate-limit.js';
import { lumozAIRetryPolicy } from './retry-policy.js';
import type {
  CheckCompletedData,
  CheckProcessingData,
  RequestId,
  RunAcceptedData,
  RunCompletedData,
  RunParameters,
} from './types.js';

/** Options of {@link createLumozAIClient}. */
export interface LumozAIClientOptions {
  /** Your API key, sent as `Authorization: Bearer <apiKey>` to the API (never to output downloads). Required. */
  apiKey: string;
  /** Base URL up to and including `/api/v4`, e.g. `https://lumozai.com/api/v4` or `http://127.0.0.1:4010/lumozai/api/v4`. Required. */
  baseUrl: string;
  /** The fetch to send requests with; tests pass their own. Default: `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch;
  /**
   * Retries; `false` sends every request once. `POST /check` is retried like a GET; `POST /run` only
   * after a 429, which started nothing; a 429 without `Retry-After` waits until `X-RateLimit-Reset`
   * unless that is further off than `maxRetryAfterMs` (see {@link lumozAIRetryPolicy}). Your own
   * `shouldRetry` or `delayFromResponse` replaces that policy. Default: that policy with the
   * `createRetryingFetch` defaults (4 attempts, full-jitter backoff from 500 ms, waits up to 120 s).
   */
  retry?: RetryingFetchOptions | false;
  /**
   * Called with the rate-limit headers of every API answer that carries them, retried attempts and
   * errors included, e.g. to slow down before the hourly limit runs out. Default: none.
   */
  onRateLimit?: (rateLimit: RateLimit, answer: { status: number; url: string }) => void;
}

/** Per-call options. */
export interface CallOptions {
  /** Aborts the request. Default: none. */
  signal?: AbortSignal;
}

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
export interface WaitOptions extends Omit<WaitForJobOptions<CheckResult>, 'getStatus' | 'isTerminal'> {
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
  const baseFetch = options.fetch ?? globalThis.fetch;
  const withRetry = (inner: typeof fetch): typeof fetch =>
    options.retry === false
      ? inner
      : createRetryingFetch(inner, { ...lumozAIRetryPolicy(options.baseUrl), ...options.retry });
  const apiFetch = withRetry(observeRateLimits(baseFetch, options.onRateLimit));
  // Output URLs may be on another host: they get a plain fetch, never the API key.
  const downloadFetch = withRetry(baseFetch);

  const raw = createClient<paths>({ baseUrl: options.baseUrl, fetch: (request) => apiFetch(request) });
  raw.use(bearerAuthMiddleware(options.apiKey));

  const client: LumozAIClient = {
    raw,

    async run(parameters, call = {}) {
      const { data, error, response } = await raw.POST('/run', {
        body: parameters,
        bodySerializer: formBody,
        headers: FORM,
        signal: call.signal,
      });
      if (data?.success !== true) throw lumozAIErrorFromResponse(response, data ?? error);
      return 'output' in data.data ? { finished: true, data: data.data } : { finished: false, data: data.data };
    },

    async check(requestId, call = {}) {
      if (!Number.isSafeInteger(requestId) || requestId < 1) {
        throw new TypeError(`Not a LumozAI request_id: ${requestId} (expected a positive integer below 2^53)`);
      }
      const { data, error, response } = await raw.POST('/check', {
        body: { request_id: requestId },
        bodySerializer: formBody,
        headers: FORM,
        signal: call.signal,
      });
      if (data?.success !== true) throw lumozAIErrorFromResponse(response, data ?? error);
      return data.data;
    },

    async waitForRequest(requestId, wait = {}) {
      const { onProgress, onStatus, ...polling } = wait;
      const done = await waitForJob({
        ...polling,
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
    const response = await downloadFetch(url, signal ? { signal } : {});
    if (!response.ok) {
      const body = await response.text().catch(() => undefined);
      throw new LumozAIError({
        status: response.status,
        message: `Downloading ${url.href} answered HTTP ${response.status}`,
        body,
        headers: response.headers,
      });
    }
    return { response, url };
  }

  return client;
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
