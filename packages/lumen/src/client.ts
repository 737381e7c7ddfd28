import {
  DownloadError,
  JobFailedError,
  anySignal,
  bearerAuth,
  createImageJobs,
  createRetryingFetch,
  fetchWithoutCredentials,
  pathSegment,
  readResponseBytes,
  requireApiKey,
  runJob,
  saveResponseToFile,
  serializeJobHandle,
  waitForJob,
  withNetworkErrors,
} from '@imagegen/client-kit';
import type { ImageJobClient, JobState, RetryingFetchOptions, SavedFile, WaitForJobOptions } from '@imagegen/client-kit';
import createClient from 'openapi-fetch';
import type { Client } from 'openapi-fetch';

import type { paths } from '@imagegen/spec/lumen/types';
import { LumenDownloadError, LumenTaskFailedError, lumenErrorFromResponse } from './lumen-error.js';
import { isTerminalTask } from './types.js';
import type { EditRequest, GenerationRequest, InpaintRequest, SucceededTask, Task, TaskCreated, TaskStatus } from './types.js';

/** Options of {@link createLumenClient}. */
export interface LumenClientOptions {
  /**
   * The `sk-lumen-...` key (e.g. `process.env.LUMEN_API_KEY`), sent as `Authorization: Bearer` to
   * the API (never to image URLs). `undefined` or empty is refused at construction. Required.
   */
  apiKey: string | undefined;
  /**
   * Base URL the spec's paths are appended to: `https://lumen.mengfanlab.top`, or e.g.
   * `http://127.0.0.1:4010/lumen` for the mock server. Required.
   */
  baseUrl: string;
  /** The fetch to send requests with; tests pass their own. Default: `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch | undefined;
  /**
   * Retries of GET requests (polls and image downloads) on 429 and 503, honouring Retry-After;
   * `false` sends every request once. Task submissions are sent exactly once whatever this says:
   * Lumen documents no idempotency key, so a retry after a lost answer could bill a second task.
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

/** Polling options; see `waitForJob` in `@imagegen/client-kit` for each default. */
export type WaitOptions = Omit<WaitForJobOptions<Task>, 'getStatus' | 'isTerminal' | 'handle'>;

/** Options of the create + wait + download calls. */
export interface RunOptions extends CallOptions {
  /** How to poll the task. Default: the `waitForJob` defaults. */
  wait?: WaitOptions | undefined;
}

/** A downloaded image. */
export interface DownloadedImage {
  /** The URL it was downloaded from, as the task listed it. */
  url: string;
  bytes: Uint8Array;
  /** The response's Content-Type, e.g. `image/png`. */
  contentType: string;
}

/** A succeeded task and every one of its images, in `data` order. */
export interface TaskImages {
  task: SucceededTask;
  images: DownloadedImage[];
}

/** What `jobs.submit` takes beyond the common fields: any field of a Lumen generation body. */
export type LumenExtra = Partial<GenerationRequest>;

export interface LumenClient {
  /** The typed openapi-fetch client underneath, for anything the helpers below do not cover. */
  readonly raw: Client<paths>;
  /**
   * The interface every client of this project shares (submit, status, wait, download, generate),
   * over text-to-image tasks. Lumen documents no idempotency key: a submission is never repeated.
   */
  readonly jobs: ImageJobClient<LumenExtra, Task>;
  /** `POST /v1/images/generations`: submits a text-to-image task and returns its id at once. Sent once, never retried. */
  createGenerationTask(body: GenerationRequest, options?: CallOptions): Promise<TaskCreated>;
  /** `POST /v1/images/edits`: submits an image-to-image task. Sent once, never retried. */
  createEditTask(body: EditRequest, options?: CallOptions): Promise<TaskCreated>;
  /** `POST /v1/images/inpaint`: submits an inpainting task. Sent once, never retried. */
  createInpaintTask(body: InpaintRequest, options?: CallOptions): Promise<TaskCreated>;
  /** `GET /v1/images/generations/{id}`: the task's current state, whichever endpoint created it. */
  getTask(id: string, options?: CallOptions): Promise<Task>;
  /** Polls until the task is terminal; throws {@link LumenTaskFailedError} when it failed or was cancelled. */
  waitForTask(id: string, options?: WaitOptions): Promise<SucceededTask>;
  /** Downloads one image URL into memory, without the API key. */
  downloadImage(url: string, options?: CallOptions): Promise<DownloadedImage>;
  /** Downloads every image of a succeeded task (all `n`), one after the other, in `data` order. */
  downloadImages(task: SucceededTask, options?: CallOptions): Promise<DownloadedImage[]>;
  /** Streams one image URL to `filePath`, without the API key; the file appears only once complete. */
  downloadImageToFile(url: string, filePath: string, options?: CallOptions): Promise<SavedFile>;
  /** Submits a text-to-image task, waits for it and downloads all its images. */
  generateAndDownload(body: GenerationRequest, options?: RunOptions): Promise<TaskImages>;
  /** Submits an image-to-image task, waits for it and downloads all its images. */
  editAndDownload(body: EditRequest, options?: RunOptions): Promise<TaskImages>;
  /** Submits an inpainting task, waits for it and downloads all its images. */
  inpaintAndDownload(body: InpaintRequest, options?: RunOptions): Promise<TaskImages>;
}

/** The paths that submit a task: every POST of the spec. */
type CreatePath = { [P in keyof paths]: paths[P] extends { post: object } ? P : never }[keyof paths];

/** Creates a typed Lumen client. Every non-2xx API answer is thrown as a `LumenError`. */
export function createLumenClient(options: LumenClientOptions): LumenClient {
  // An unset environment variable would otherwise go out as `Bearer undefined` on every request.
  const apiKey = requireApiKey(options.apiKey, {
    client: 'createLumenClient',
    option: 'apiKey',
    variable: 'LUMEN_API_KEY',
    looksLike: 'your sk-lumen-... key',
  });
  const baseFetch = withNetworkErrors(options.fetch ?? globalThis.fetch, { vendor: VENDOR });
  // Only reads may be repeated: Lumen honours no idempotency header, so no header a caller adds to
  // a raw POST can make a submission repeat.
  const retryingFetch =
    options.retry === false ? baseFetch : createRetryingFetch(baseFetch, { ...options.retry, ...READS_ONLY });
  const raw = createClient<paths>({ baseUrl: options.baseUrl, fetch: (request) => retryingFetch(request) });
  raw.use(bearerAuth(apiKey));

  async function createTask(path: CreatePath, body: GenerationRequest | EditRequest | InpaintRequest, call: CallOptions) {
    const { data, error, response } = await raw.POST(path, { body, signal: call.signal, headers: call.headers });
    if (data === undefined) throw lumenErrorFromResponse(response, error, { method: 'POST' });
    return data;
  }

  async function runTask(create: (signal: AbortSignal | undefined) => Promise<TaskCreated>, call: RunOptions) {
    const { job, result } = await runJob({
      signal: call.signal,
      create,
      // Either signal stops the wait: `signal` alone would silently drop `call.wait.signal`.
      wait: (created, signal) => client.waitForTask(created.id, { ...call.wait, signal: anySignal(signal, call.wait?.signal) }),
      download: (task, signal) => client.downloadImages(task, { signal }),
    });
    return { task: job, images: result };
  }

  async function fetchImage(url: string, signal: AbortSignal | undefined): Promise<Response> {
    // Not through `raw`: the image host must never see the API key, nor any cookie or referrer.
    try {
      return await fetchWithoutCredentials(imageUrl(url), { fetch: retryingFetch, ...(signal ? { signal } : {}) });
    } catch (error) {
      if (!(error instanceof DownloadError)) throw error;
      throw new LumenDownloadError({ status: error.status, url, body: error.body, headers: error.headers, vendor: VENDOR, cause: error });
    }
  }

  const client: Omit<LumenClient, 'jobs'> = {
    raw,

    createGenerationTask: (body, call = {}) => createTask('/v1/images/generations', body, call),
    createEditTask: (body, call = {}) => createTask('/v1/images/edits', body, call),
    createInpaintTask: (body, call = {}) => createTask('/v1/images/inpaint', body, call),

    async getTask(id, call = {}) {
      const { data, error, response } = await raw.GET('/v1/images/generations/{id}', {
        params: { path: { id: pathSegment(id, 'Lumen task id') } },
        headers: call.headers,
        signal: call.signal,
      });
      if (data === undefined) throw lumenErrorFromResponse(response, error, { method: 'GET' });
      return data;
    },

    async waitForTask(id, wait = {}) {
      const task = await waitForJob({
        ...wait,
        handle: serializeJobHandle({ vendor: VENDOR, baseUrl: options.baseUrl, id }),
        getStatus: (signal) => client.getTask(id, { signal }),
        isTerminal: isTerminalTask,
      });
      if (task.status !== 'succeeded') throw new LumenTaskFailedError(task);
      return task;
    },

    async downloadImage(url, call = {}) {
      const response = await fetchImage(url, call.signal);
      return {
        url,
        bytes: await readResponseBytes(response),
        contentType: response.headers.get('content-type') ?? 'application/octet-stream',
      };
    },

    async downloadImages(task, call = {}) {
      if (!Array.isArray(task.data) || task.data.length === 0) {
        throw new TypeError(`Lumen task ${task.id} is succeeded but lists no image in data`);
      }
      const images: DownloadedImage[] = [];
      for (const { url } of task.data) images.push(await client.downloadImage(url, call));
      return images;
    },

    async downloadImageToFile(url, filePath, call = {}) {
      const response = await fetchImage(url, call.signal);
      return saveResponseToFile(response, filePath, { signal: call.signal });
    },

    generateAndDownload: (body, call = {}) => runTask((signal) => client.createGenerationTask(body, { signal }), call),
    editAndDownload: (body, call = {}) => runTask((signal) => client.createEditTask(body, { signal }), call),
    inpaintAndDownload: (body, call = {}) => runTask((signal) => client.createInpaintTask(body, { signal }), call),
  };

  return Object.assign(client, {
    jobs: createImageJobs<LumenExtra, Task>({
      vendor: VENDOR,
      baseUrl: options.baseUrl,
      capabilities: { cancel: false, idempotentSubmit: false, aspectRatio: true, n: true },
      async submit(request, call) {
        const created = await client.createGenerationTask(
          {
            model: request.model ?? DEFAULT_MODEL,
            prompt: request.prompt,
            // Lumen's size takes an aspect ratio as it is ("16:9") as well as pixels.
            ...(request.aspectRatio === undefined ? {} : { size: request.aspectRatio }),
            ...(request.n === undefined ? {} : { n: request.n }),
            ...request.extra,
          } as GenerationRequest,
          call,
        );
        return { id: created.id, raw: created };
      },
      poll: (handle, call) => client.getTask(handle.id, call),
      describe: (task) => ({
        state: TASK_STATES[task.status],
        outputs: task.status === 'succeeded' ? task.data.map((image) => image.url) : [],
      }),
      failure: (task, handle) =>
        task.status === 'failed' || task.status === 'cancelled'
          ? new LumenTaskFailedError(task, handle)
          : new JobFailedError(task, `Lumen task ${task.id} is ${task.status} but lists no image in data`, { vendor: VENDOR, handle }),
      downloadOutput: (url, call) => client.downloadImage(url, { signal: call.signal }),
    }),
  });
}

const VENDOR = 'lumen';
/** The model of the documentation's own examples. */
const DEFAULT_MODEL = 'gpt-image-2-low';
const READS_ONLY = { methods: ['GET', 'HEAD'], idempotencyHeader: false } as const;
const TASK_STATES: Record<TaskStatus, JobState> = {
  queued: 'queued',
  processing: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  cancelled: 'cancelled',
};

/** Image URLs are documented as absolute `http(s)` URLs; anything else is refused before any request. */
function imageUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`Not an absolute image URL: ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new TypeError(`Not an http(s) image URL: ${JSON.stringify(url)}`);
  }
  return parsed;
}
