import {
  DownloadError,
  bearerAuth,
  createImageJobs,
  createRetryingFetch,
  fetchWithoutCredentials,
  pathSegment,
  readResponseBytes,
  requireApiKey,
  runJob,
  serializeJobHandle,
  waitForJob,
  withNetworkErrors,
} from '@imagegen/client-kit';
import type { ImageJobClient, JobState, RetryingFetchOptions, WaitForJobOptions } from '@imagegen/client-kit';
import createClient from 'openapi-fetch';
import type { Client } from 'openapi-fetch';

import type { paths } from '@imagegen/spec/luma-agents/types';
import {
  LumaAgentsGenerationFailedError,
  LumaAgentsOutputExpiredError,
  lumaAgentsErrorFromResponse,
} from './luma-agents-error.js';
import { RETRYABLE_STATUSES, isTerminalState } from './types.js';
import type { AspectRatio, Generation, GenerationCreateRequest, GenerationOutput, GenerationState } from './types.js';

/** Options of {@link createLumaAgentsClient}. */
export interface LumaAgentsClientOptions {
  /**
   * The API key (the docs keep it in `LUMA_AGENTS_API_KEY`), sent as `Authorization: Bearer <key>`
   * to the API and never to an output URL. `undefined` or empty is refused at construction. Required.
   */
  apiKey: string | undefined;
  /**
   * Base URL up to and including `/v1`: `https://agents.lumalabs.ai/v1`, or a mock's
   * `http://127.0.0.1:4010/luma-agents/v1`. Required.
   */
  baseUrl: string;
  /** The fetch for API calls and output downloads; tests pass their own. Default: `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch | undefined;
  /**
   * Retries of GET requests (polls and output downloads) on 429, 502 and 503, honouring
   * Retry-After; `false` sends every request once. `POST /generations` is never retried, whatever
   * this says: Luma documents no idempotency mechanism, so a repeat would create (and bill) a second
   * generation. Default: the `createRetryingFetch` defaults (4 attempts, full-jitter backoff from
   * 500 ms) with `retryOnStatus: [429, 502, 503]`.
   */
  retry?: RetryingFetchOptions | false | undefined;
}

/** Per-call options. */
export interface CallOptions {
  /** Aborts the call. Default: none. */
  signal?: AbortSignal | undefined;
  /** Headers added to the API request (e.g. the mock's `Prefer`); never sent to output URLs. Default: none. */
  headers?: Record<string, string> | undefined;
}

/** Polling options; see `waitForJob` in `@imagegen/client-kit` for each default. */
export type WaitOptions = Omit<WaitForJobOptions<Generation>, 'getStatus' | 'isTerminal' | 'handle'>;

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

/** What `jobs.submit` takes beyond the common fields: any field of a Luma Agents generation body. */
export type LumaAgentsExtra = Partial<GenerationCreateRequest>;

export interface LumaAgentsClient {
  /** The typed openapi-fetch client underneath, for anything the helpers below do not cover. */
  readonly raw: Client<paths>;
  /**
   * The interface every client of this project shares (submit, status, wait, download, generate).
   * Luma documents no idempotency mechanism: a submission is never repeated.
   */
  readonly jobs: ImageJobClient<LumaAgentsExtra, Generation>;
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
  const apiKey = requireApiKey(options.apiKey, {
    client: 'createLumaAgentsClient',
    option: 'apiKey',
    variable: 'LUMA_AGENTS_API_KEY',
  });
  const baseFetch = withNetworkErrors(options.fetch ?? globalThis.fetch, { vendor: VENDOR });
  // Only reads are repeated: Luma honours no idempotency header, so no header a caller gives a
  // POST can make it repeat.
  const retryingFetch =
    options.retry === false
      ? baseFetch
      : createRetryingFetch(baseFetch, { retryOnStatus: RETRYABLE_STATUSES, ...options.retry, ...READS_ONLY });

  const raw = createClient<paths>({ baseUrl: options.baseUrl, fetch: (request) => retryingFetch(request) });
  raw.use(bearerAuth(apiKey));

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
          vendor: VENDOR,
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

  const client: Omit<LumaAgentsClient, 'jobs'> = {
    raw,

    async createGeneration(body, call = {}) {
      const { data, error, response } = await raw.POST('/generations', { body, signal: call.signal, headers: call.headers });
      if (data === undefined) throw lumaAgentsErrorFromResponse(response, error, { method: 'POST' });
      return data;
    },

    async getGeneration(id, call = {}) {
      const { data, error, response } = await raw.GET('/generations/{id}', {
        params: { path: { id: pathSegment(id, 'Luma Agents generation id') } },
        headers: call.headers,
        signal: call.signal,
      });
      if (data === undefined) throw lumaAgentsErrorFromResponse(response, error, { method: 'GET' });
      return data;
    },

    async waitForGeneration(id, wait = {}) {
      const generation = await waitForJob({
        ...wait,
        handle: serializeJobHandle({ vendor: VENDOR, baseUrl: options.baseUrl, id }),
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

  return Object.assign(client, {
    jobs: createImageJobs<LumaAgentsExtra, Generation>({
      vendor: VENDOR,
      baseUrl: options.baseUrl,
      capabilities: { cancel: false, idempotentSubmit: false, aspectRatio: true, n: false },
      async submit(request, call) {
        const body: GenerationCreateRequest = {
          prompt: request.prompt,
          ...(request.model === undefined ? {} : { model: request.model as GenerationCreateRequest['model'] }),
          ...(request.aspectRatio === undefined ? {} : { aspect_ratio: request.aspectRatio as AspectRatio }),
          ...request.extra,
        };
        const created = await client.createGeneration(body, call);
        return { id: created.id, raw: created, job: created };
      },
      poll: (handle, call) => client.getGeneration(handle.id, call),
      describe: (generation) => ({
        state: GENERATION_STATES[generation.state],
        outputs: generation.state === 'completed' ? (generation.output ?? []).map((output) => output.url) : [],
      }),
      failure: (generation, handle) => generationFailed(generation, handle),
      downloadOutput: (url, call) => client.downloadOutput(url, { signal: call.signal }),
      async download(job, call) {
        // Through downloadOutputs, which polls once for fresh URLs when a presigned one expired.
        const { generation, images } = await client.downloadOutputs(completedOrThrow(job.raw), { signal: call.signal });
        return images.map((image, index) => ({ ...image, url: generation.output[index]?.url ?? '', raw: generation }));
      },
    }),
  });
}

const VENDOR = 'luma-agents';
const READS_ONLY = { methods: ['GET', 'HEAD'], idempotencyHeader: false } as const;
const GENERATION_STATES: Record<GenerationState, JobState> = {
  queued: 'queued',
  processing: 'running',
  completed: 'succeeded',
  failed: 'failed',
};

function generationFailed(generation: Generation, handle?: string): LumaAgentsGenerationFailedError {
  return new LumaAgentsGenerationFailedError(
    generation,
    generation.state === 'failed' ? undefined : `Luma Agents generation ${generation.id} is ${generation.state} but lists no output`,
    handle,
  );
}

function completedOrThrow(generation: Generation): CompletedGeneration {
  if (generation.state === 'completed' && generation.output !== undefined && generation.output.length > 0) {
    return generation as CompletedGeneration;
  }
  throw generationFailed(generation);
}

