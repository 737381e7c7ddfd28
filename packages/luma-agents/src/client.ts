import {
  DownloadError,
  createRetryingFetch,
  fetchWithoutCredentials,
  pathSegment,
  readResponseBytes,
  runJob,
  waitForJob,
} from '@imagegen/client-kit';
import type { RetryingFetchOptions, WaitForJobOptions } from '@imagegen/client-kit';
import createClient from 'openapi-fetch';
import type { Client, Middleware } from 'openapi-fetch';

import type { paths } from './generated/openapi.js';
import {
  LumaAgentsGenerationFailedError,
  LumaAgentsOutputExpiredError,
  lumaAgentsErrorFromResponse,
} from './luma-agents-error.js';
import { RETRYABLE_STATUSES, isTerminalState } from './types.js';
import type { Generation, GenerationCreateRequest, GenerationOutput } from './types.js';

/** Options of {@link createLumaAgentsClient}. */
export interface LumaAgentsClientOptions {
  /**
   * The API key (the docs keep it in `LUMA_AGENTS_API_KEY`), sent as `Authorization: Bearer <key>`
   * to the API and never to an output URL. Required.
   */
  apiKey: string;
  /**
   * Base URL up to and including `/v1`: `https://agents.lumalabs.ai/v1`, or a mock's
   * `http://127.0.0.1:4010/luma-agents/v1`. Required.
   */
  baseUrl: string;
  /** The fetch for API calls and output downloads; tests pass their own. Default: `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch;
  /**
   * Retries of GET requests (polls and output downloads) on 429, 502 and 503, honouring
   * Retry-After; `false` sends every request once. `POST /generations` is never retried, whatever
   * this says: Luma documents no idempotency mechanism, so a repeat would create (and bill) a second
   * generation. Default: the `createRetryingFetch` defaults (4 attempts, full-jitter backoff from
   * 500 ms) with `retryOnStatus: [429, 502, 503]`.
   */
  retry?: RetryingFetchOptions | false;
}

/** Per-call options. */
export interface CallOptions {
  /** Aborts the call. Default: none. */
  signal?: AbortSignal;
}

/** Polling options; see `waitForJob` in `@imagegen/client-kit` for each default. */
export type WaitOptions = Omit<WaitForJobOptions<Generation>, 'getStatus' | 'isTerminal'>;

/** A generation that finished with `state: "completed"`, so `output` lists its images. */
export type CompletedGeneration = Generation & { state: 'completed'; output: GenerationOutput[] };

/** A downloaded output image. */
export interface DownloadedOutput {
  bytes: Uint8Array;
  /** The storage host's Content-Type, e.g. `image/png`; `application/octet-stream` when it sent none. */
  contentType: string;
}

/** A completed generation with its images, in `output` order. */
export interface DownloadedGeneration {
  /** The generation as last polled: after a URL refresh, the poll that handed out the fresh URLs. */
  generation: CompletedGeneration;
  images: DownloadedOutput[];
}

export interface LumaAgentsClient {
  /** The typed openapi-fetch client underneath, for anything the helpers below do not cover. */
  readonly raw: Client<paths>;
  /** `POST /generations`: submits a job and returns the queued generation. Sent exactly once. */
  createGeneration(body: GenerationCreateRequest, options?: CallOptions): Promise<Generation>;
  /** `GET /generations/{id}`: the generation's current state; a completed one carries fresh output URLs. */
  getGeneration(id: string, options?: CallOptions): Promise<Generation>;
  /**
   * Polls until the generation is `completed` or `failed`. Throws {@link LumaAgentsGenerationFailedError}
   * (with `failureCode` and `failureReason`) when it failed or completed without output.
   */
  waitForGeneration(id: string, options?: WaitOptions): Promise<CompletedGeneration>;
  /**
   * Downloads one presigned output URL with a bare GET (no API key, no cookies). Throws
   * {@link LumaAgentsOutputExpiredError} on 403 (poll again for a fresh URL) and `DownloadError`
   * for any other refusal.
   */
  downloadOutput(url: string, options?: CallOptions): Promise<DownloadedOutput>;
  /**
   * Downloads every output of a completed generation. When a URL has expired it polls the
   * generation once for fresh URLs and carries on; a second expiry is thrown.
   */
  downloadOutputs(generation: CompletedGeneration, options?: CallOptions): Promise<DownloadedGeneration>;
  /** Create, wait, download every output (refreshing expired URLs once): the documented flow in one call. */
  generateAndDownload(
    body: GenerationCreateRequest,
    options?: CallOptions & { wait?: Omit<WaitOptions, 'signal'> },
  ): Promise<DownloadedGeneration>;
}

/** Creates a typed Luma Agents client. Every non-2xx API answer is thrown as a `LumaAgentsError`. */
export function createLumaAgentsClient(options: LumaAgentsClientOptions): LumaAgentsClient {
  const baseFetch = options.fetch ?? globalThis.fetch;
  const retryingFetch =
    options.retry === false ? baseFetch : createRetryingFetch(baseFetch, { retryOnStatus: RETRYABLE_STATUSES, ...options.retry });
  // Decided here rather than left to the retrying fetch, which would retry a POST that a caller
  // gave an Idempotency-Key header: Luma honours no such header.
  const apiFetch = (request: Request): Promise<Response> =>
    request.method === 'POST' ? baseFetch(request) : retryingFetch(request);

  const raw = createClient<paths>({ baseUrl: options.baseUrl, fetch: apiFetch });
  raw.use(bearerAuth(options.apiKey));

  async function download(url: string, generationId: string | undefined, signal?: AbortSignal): Promise<DownloadedOutput> {
    let response: Response;
    try {
      response = await fetchWithoutCredentials(url, { fetch: retryingFetch, signal });
    } catch (error) {
      if (error instanceof DownloadError && error.reason === 'forbidden') {
        throw new LumaAgentsOutputExpiredError({
          status: error.status,
          url,
          body: error.body,
          headers: error.headers,
          generationId,
          cause: error,
        });
      }
      throw error;
    }
    return {
      bytes: await readResponseBytes(response),
      contentType: response.headers.get('content-type') ?? 'application/octet-stream',
    };
  }

  const client: LumaAgentsClient = {
    raw,

    async createGeneration(body, call = {}) {
      const { data, error, response } = await raw.POST('/generations', { body, signal: call.signal });
      if (data === undefined) throw lumaAgentsErrorFromResponse(response, error);
      return data;
    },

    async getGeneration(id, call = {}) {
      const { data, error, response } = await raw.GET('/generations/{id}', {
        params: { path: { id: pathSegment(id, 'Luma Agents generation id') } },
        signal: call.signal,
      });
      if (data === undefined) throw lumaAgentsErrorFromResponse(response, error);
      return data;
    },

    async waitForGeneration(id, wait = {}) {
      const generation = await waitForJob({
        ...wait,
        getStatus: (signal) => client.getGeneration(id, { signal }),
        isTerminal: (polled) => isTerminalState(polled.state),
      });
      return completedOrThrow(generation);
    },

    downloadOutput(url, call = {}) {
      return download(url, undefined, call.signal);
    },

    async downloadOutputs(generation, call = {}) {
      let current = generation;
      let refreshed = false;
      const images: DownloadedOutput[] = [];
      for (let output = current.output[0]; output !== undefined; output = current.output[images.length]) {
        try {
          images.push(await download(output.url, current.id, call.signal));
        } catch (error) {
          if (refreshed || !(error instanceof LumaAgentsOutputExpiredError)) throw error;
          refreshed = true;
          // Every poll hands out URLs valid for another hour.
          current = completedOrThrow(await client.getGeneration(current.id, call));
        }
      }
      return { generation: current, images };
    },

    async generateAndDownload(body, call = {}) {
      const { result } = await runJob({
        signal: call.signal,
        create: (signal) => client.createGeneration(body, { signal }),
        wait: (created, signal) => client.waitForGeneration(created.id, { ...call.wait, signal }),
        download: (completed, signal) => client.downloadOutputs(completed, { signal }),
      });
      return result;
    },
  };

  return client;
}

/** Sends the key the only way Luma documents: `Authorization: Bearer <key>`. */
function bearerAuth(apiKey: string): Middleware {
  return {
    onRequest({ request }) {
      if (!request.headers.has('Authorization')) request.headers.set('Authorization', `Bearer ${apiKey}`);
      return request;
    },
  };
}

function completedOrThrow(generation: Generation): CompletedGeneration {
  if (generation.state === 'completed' && generation.output !== undefined && generation.output.length > 0) {
    return generation as CompletedGeneration;
  }
  throw new LumaAgentsGenerationFailedError(
    generation,
    generation.state === 'failed'
      ? undefined
      : `Luma Agents generation ${generation.id} is ${generation.state} but lists no output`,
  );
}

