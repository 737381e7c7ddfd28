import {
  anySignal,
  createRetryingFetch,
  pathSegment,
  readResponseBytes,
  runJob,
  saveResponseToFile,
  waitForJob,
} from '@imagegen/client-kit';
import type { RetryingFetchOptions, SavedFile, WaitForJobOptions } from '@imagegen/client-kit';
import createClient from 'openapi-fetch';
import type { Client } from 'openapi-fetch';

import type { paths } from './generated/openapi.js';
import { LumenDownloadError, LumenTaskFailedError, lumenErrorFromResponse } from './lumen-error.js';
import { bearerAuthMiddleware } from './middleware.js';
import { isTerminalTask } from './types.js';
import type { EditRequest, GenerationRequest, InpaintRequest, SucceededTask, Task, TaskCreated } from './types.js';

/** Options of {@link createLumenClient}. */
export interface LumenClientOptions {
  /** The `sk-lumen-...` key, sent as `Authorization: Bearer` to the API (never to image URLs). Required. */
  apiKey: string;
  /**
   * Base URL the spec's paths are appended to: `https://lumen.mengfanlab.top`, or e.g.
   * `http://127.0.0.1:4010/lumen` for the mock server. Required.
   */
  baseUrl: string;
  /** The fetch to send requests with; tests pass their own. Default: `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch;
  /**
   * Retries of GET requests (polls and image downloads) on 429 and 503, honouring Retry-After;
   * `false` sends every request once. Task submissions are sent exactly once whatever this says:
   * Lumen documents no idempotency key, so a retry after a lost answer could bill a second task.
   * Default: the `createRetryingFetch` defaults (4 attempts, full-jitter backoff from 500 ms).
   */
  retry?: RetryingFetchOptions | false;
}

/** Per-call options. */
export interface CallOptions {
  /** Aborts the request. Default: none. */
  signal?: AbortSignal;
}

/** Polling options; see `waitForJob` in `@imagegen/client-kit` for each default. */
export type WaitOptions = Omit<WaitForJobOptions<Task>, 'getStatus' | 'isTerminal'>;

/** Options of the create + wait + download calls. */
export interface RunOptions extends CallOptions {
  /** How to poll the task. Default: the `waitForJob` defaults. */
  wait?: WaitOptions;
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

export interface LumenClient {
  /** The typed openapi-fetch client underneath, for anything the helpers below do not cover. */
  readonly raw: Client<paths>;
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
  if (typeof options.apiKey !== 'string' || options.apiKey.trim() === '') {
    throw new TypeError(`createLumenClient needs apiKey, your sk-lumen-... key; got ${JSON.stringify(options.apiKey) ?? 'undefined'}`);
  }
  const baseFetch = options.fetch ?? globalThis.fetch;
  const retryingFetch = options.retry === false ? baseFetch : createRetryingFetch(baseFetch, options.retry);
  // Only GETs may be repeated: whatever headers a raw POST carries, Lumen would not recognise a
  // repeat, so it goes straight to the network once.
  const send = (request: Request): Promise<Response> =>
    request.method === 'GET' ? retryingFetch(request) : baseFetch(request);
  const raw = createClient<paths>({ baseUrl: options.baseUrl, fetch: send });
  raw.use(bearerAuthMiddleware(options.apiKey));

  async function createTask(path: CreatePath, body: GenerationRequest | EditRequest | InpaintRequest, call: CallOptions) {
    const { data, error, response } = await raw.POST(path, { body, signal: call.signal });
    if (data === undefined) throw lumenErrorFromResponse(response, error);
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
    // A request of its own, not through `raw`: the image host must never see the API key.
    const response = await retryingFetch(new Request(imageUrl(url), { signal }));
    if (response.ok) return response;
    const body = await response.text().catch(() => undefined);
    throw new LumenDownloadError(url, {
      status: response.status,
      message: `Downloading ${url} failed with HTTP ${response.status}`,
      body,
      headers: response.headers,
    });
  }

  const client: LumenClient = {
    raw,

    createGenerationTask: (body, call = {}) => createTask('/v1/images/generations', body, call),
    createEditTask: (body, call = {}) => createTask('/v1/images/edits', body, call),
    createInpaintTask: (body, call = {}) => createTask('/v1/images/inpaint', body, call),

    async getTask(id, call = {}) {
      const { data, error, response } = await raw.GET('/v1/images/generations/{id}', {
        params: { path: { id: pathSegment(id, 'Lumen task id') } },
        signal: call.signal,
      });
      if (data === undefined) throw lumenErrorFromResponse(response, error);
      return data;
    },

    async waitForTask(id, wait = {}) {
      const task = await waitForJob({
        ...wait,
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

  return client;
}

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
