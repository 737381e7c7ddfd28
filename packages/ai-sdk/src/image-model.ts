import { randomUUID } from 'node:crypto';

import { APICallError } from '@ai-sdk/provider';
import type { ImageModelV3, ImageModelV3CallOptions, SharedV3Warning } from '@ai-sdk/provider';
import { isApiError, isClientError } from '@imagegen/client-kit';
import type { ClientError, ImageJobClient, ImageRequest, ImageWaitOptions } from '@imagegen/client-kit';

/** Settings every provider takes. */
export interface ImageProviderSettings {
  /** Longest wait for one job inside one `doGenerate` call, in ms; past it the call fails retryably and a retry resumes the same job. Default: `600_000`. */
  timeoutMs?: number | undefined;
  /** Polling cadence; see `ImageWaitOptions`. Default: the vendor client's. */
  wait?: Omit<ImageWaitOptions<unknown>, 'signal' | 'timeoutMs'> | undefined;
  /**
   * How long a job submitted by a call that then failed is remembered, in ms: a retry of the same
   * call (same prompt and settings) within it resumes that job instead of paying for another.
   * Default: `3_600_000`.
   */
  resumeWindowMs?: number | undefined;
}

/** How a vendor's settings become its common request, and what it cannot honour. */
export interface VendorImageAdapter {
  /** The vendor's slug, also the `providerOptions` key. */
  vendor: string;
  /** Images one job makes at most (`n` for Lumen, the batch of four for useapi.net). */
  maxImagesPerCall: number;
  /** The request for one `doGenerate` call, with the warnings for settings the vendor has no field for. */
  request(modelId: string, options: ImageModelV3CallOptions): { request: ImageRequest<Record<string, unknown>>; warnings: SharedV3Warning[] };
}

// What a failed call left behind for its retry: the job it submitted, or the idempotency key it
// submitted with when the answer was lost.
interface Unfinished {
  handle?: string;
  idempotencyKey?: string;
  expiresAt: number;
}

/**
 * An AI SDK `ImageModelV3` over one vendor's common job interface. `doGenerate` submits, waits and
 * downloads; when it fails after the job may exist it remembers the job (or the idempotency key
 * it was submitted with), so `generateImage`'s retry of the same call resumes it instead of paying
 * for a second one. A submission whose answer was lost is retried only where the vendor honours an
 * idempotency key; elsewhere the call fails as not retryable, naming why.
 */
export class ImagegenImageModel implements ImageModelV3 {
  readonly specificationVersion = 'v3';
  readonly provider: string;
  readonly maxImagesPerCall: number;
  readonly #unfinished = new Map<string, Unfinished>();

  constructor(
    readonly modelId: string,
    private readonly jobs: () => ImageJobClient<Record<string, unknown>, unknown>,
    private readonly adapter: VendorImageAdapter,
    private readonly settings: ImageProviderSettings,
  ) {
    this.provider = `${adapter.vendor}.image`;
    this.maxImagesPerCall = adapter.maxImagesPerCall;
  }

  async doGenerate(options: ImageModelV3CallOptions): Promise<Awaited<ReturnType<ImageModelV3['doGenerate']>>> {
    const jobs = this.jobs();
    const { request, warnings } = this.adapter.request(this.modelId, options);
    const headers = definedHeaders(options.headers);
    const signal = options.abortSignal;
    const key = callKey(this.modelId, options, headers);
    const now = Date.now();
    for (const [stale, entry] of this.#unfinished) if (entry.expiresAt <= now) this.#unfinished.delete(stale);
    const previous = this.#unfinished.get(key);
    this.#unfinished.delete(key);

    let handle = previous?.handle;
    let idempotencyKey = previous?.idempotencyKey;
    const timestamp = new Date();
    try {
      if (handle === undefined) {
        if (jobs.capabilities.idempotentSubmit) idempotencyKey ??= randomUUID();
        handle = (await jobs.submit(request, { signal, headers, idempotencyKey })).handle;
      }
      const done = await jobs.wait(handle, { ...this.settings.wait, timeoutMs: this.settings.timeoutMs, signal });
      const images = await jobs.download(done, { signal });
      return {
        images: images.map((image) => image.bytes),
        warnings,
        providerMetadata: {
          // The AI SDK keeps only `images` of each call's metadata: the handle goes with every image.
          [this.adapter.vendor]: {
            images: images.map(({ contentType, width, height }) => ({ handle, contentType, width: width ?? null, height: height ?? null })),
          },
        },
        response: { timestamp, modelId: this.modelId, headers: undefined },
      };
    } catch (error) {
      throw this.#callError(error, { key, handle, idempotencyKey, idempotent: jobs.capabilities.idempotentSubmit });
    }
  }

  /** The error `generateImage` sees: retryable only where a retry cannot pay twice. */
  #callError(
    error: unknown,
    call: { key: string; handle: string | undefined; idempotencyKey: string | undefined; idempotent: boolean },
  ): unknown {
    const remember = (entry: Omit<Unfinished, 'expiresAt'>) =>
      this.#unfinished.set(call.key, { ...entry, expiresAt: Date.now() + (this.settings.resumeWindowMs ?? 3_600_000) });
    if (!isClientError(error)) return error;
    if (error.kind === 'aborted') {
      // The caller's decision, never retried here; the same call made again later resumes the job.
      if (call.handle !== undefined) remember({ handle: call.handle });
      return error;
    }

    let isRetryable = error.retryable;
    let message = error.message;
    let resume = false;
    if (call.handle !== undefined && error.kind !== 'job_failed' && error.kind !== 'content_moderated') {
      // The job exists: a retry polls it again rather than submitting another.
      remember({ handle: call.handle });
      resume = true;
      isRetryable = isRetryable || error.kind === 'timeout' || error.kind === 'network';
    } else if (call.handle === undefined && error.mayHaveTakenEffect) {
      if (call.idempotent && call.idempotencyKey !== undefined) {
        // The same key makes the vendor answer with the job the lost answer was about.
        remember({ idempotencyKey: call.idempotencyKey });
        resume = true;
        isRetryable = true;
      } else {
        isRetryable = false;
        message =
          `${error.message}. The submission may have created (and billed) a job, and ${this.adapter.vendor} has no ` +
          'idempotency key to find it again, so it is not submitted again blindly: check the vendor before retrying.';
      }
    }
    return toApiCallError(error, message, isRetryable, resume);
  }
}

function toApiCallError(error: ClientError, message: string, isRetryable: boolean, resume: boolean): APICallError {
  const api = isApiError(error) ? error : undefined;
  const responseHeaders: Record<string, string> = api ? Object.fromEntries(api.headers) : {};
  // A resumed job is polled at once: there is nothing to back off from.
  if (resume) responseHeaders['retry-after-ms'] = '0';
  else if (api?.retryAfterMs !== undefined) responseHeaders['retry-after-ms'] = String(api.retryAfterMs);
  const url = 'url' in error && typeof error.url === 'string' ? error.url : '';
  return new APICallError({
    message,
    url,
    requestBodyValues: undefined,
    ...(api ? { statusCode: api.status, responseBody: typeof api.body === 'string' ? api.body : JSON.stringify(api.body ?? null) } : {}),
    responseHeaders,
    cause: error,
    isRetryable,
    data: { kind: error.kind, vendor: error.vendor, handle: error.handle, mayHaveTakenEffect: error.mayHaveTakenEffect },
  });
}

function definedHeaders(headers: Record<string, string | undefined> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** What makes two calls "the same call": everything the request is made of, nothing per-attempt. */
function callKey(modelId: string, options: ImageModelV3CallOptions, headers: Record<string, string>): string {
  const { prompt, n, size, aspectRatio, seed, providerOptions } = options;
  return JSON.stringify([modelId, prompt, n, size, aspectRatio, seed, providerOptions, headers]);
}
