// The five vendors as the tests drive them: how to build each client against the mock, what one
// submission creates there, and how the mock makes each taxonomy kind the vendor can produce.
import type { ErrorKind, ImageJobClient, ImageRequest } from '@imagegen/client-kit';
import { createLumaAgentsClient } from '@imagegen/luma-agents';
import { createLumenClient } from '@imagegen/lumen';
import { createLumixAIClient } from '@imagegen/lumixai';
import { createLumozAIClient } from '@imagegen/lumozai';
import type { ApiSlug } from '@imagegen/mock-server';
import { createUseapiLumaClient } from '@imagegen/useapi-luma';

export type AnyJobs = ImageJobClient<Record<string, unknown>, unknown>;

interface ClientOptions {
  baseUrl: string;
  apiKey: string | undefined;
  fetch?: typeof fetch;
  retry?: false;
}

/** One way the mock makes a vendor fail with a taxonomy kind. */
export interface KindCase {
  kind: ErrorKind;
  /** `Prefer` on the submission (a documented status, or a job outcome the mock settles on). */
  prefer?: string;
  /** Fails at the first poll of a job id the vendor never issued, instead of at submission. */
  unknownJob?: true;
  /** The vendor's own code the error carries (`code` of an API error, `vendorCode` of a failed job). */
  vendorCode?: string | number;
  /** Whether submitting again may succeed. Default: only for `rate_limited`. */
  retryable?: boolean;
}

export interface Vendor {
  slug: ApiSlug;
  /** A dev key of the mock. */
  key: string;
  jobs(options: ClientOptions): AnyJobs;
  /**
   * The vendor-faithful wait of the client (`waitForJob`, `waitForTask`...) on one job id, with a
   * short deadline; none for useapi.net, whose `waitForBatch` reports a time-out per image instead.
   */
  ownWait?: (options: ClientOptions, id: string, wait: { timeoutMs: number; intervalMs: number }) => Promise<unknown>;
  /** The AI SDK model id and the same as the common request's model. */
  model: string;
  request: ImageRequest<Record<string, unknown>>;
  /** `Prefer` every submission carries (LumozAI: answer with the request_id alone, so the run is polled). */
  basePrefer?: string;
  /** Jobs one submission creates on the mock (useapi.net: a batch of four). */
  jobsPerSubmission: number;
  /** Images one job yields. */
  imagesPerJob: number;
  /** Variable named when the key is missing. */
  keyVariable: string;
  kinds: KindCase[];
  /** An id of the vendor's shape that the mock never issued (made from one it issued, where ids name their owner). */
  unknownId: string | ((issued: string) => string);
}

const prompt = 'a lighthouse at dusk';

export const VENDORS: Vendor[] = [
  {
    slug: 'lumixai',
    key: 'air_live_mock_dev',
    jobs: (options) => createLumixAIClient(options).jobs as AnyJobs,
    ownWait: (options, id, wait) => createLumixAIClient(options).waitForJob(id, wait),
    model: 'imagen-nano-banana-2-flash',
    request: { prompt, model: 'imagen-nano-banana-2-flash', aspectRatio: '1:1' },
    jobsPerSubmission: 1,
    imagesPerJob: 1,
    keyVariable: 'LUMIXAI_API_KEY',
    unknownId: '00000000-0000-4000-8000-000000000000',
    kinds: [
      { kind: 'validation', prefer: 'code=400', vendorCode: 'validation_error' },
      { kind: 'authentication', prefer: 'code=401', vendorCode: 'authentication_error' },
      { kind: 'insufficient_credits', prefer: 'code=402', vendorCode: 'insufficient_credits_error' },
      { kind: 'permission', prefer: 'code=403', vendorCode: 'permission_denied_error' },
      { kind: 'rate_limited', prefer: 'code=429', vendorCode: 'rate_limit_error' },
      // Repeating it is safe: the submission carries an Idempotency-Key.
      { kind: 'upstream', prefer: 'code=503', vendorCode: 'service_unavailable', retryable: true },
      { kind: 'not_found', unknownJob: true, vendorCode: 'resource_not_found_error' },
      { kind: 'job_failed', prefer: 'job-status=error' },
    ],
  },
  {
    slug: 'lumen',
    key: 'sk-lumen-mock-dev',
    jobs: (options) => createLumenClient(options).jobs as AnyJobs,
    ownWait: (options, id, wait) => createLumenClient(options).waitForTask(id, wait),
    model: 'gpt-image-2-low',
    request: { prompt, model: 'gpt-image-2-low', aspectRatio: '1:1' },
    jobsPerSubmission: 1,
    imagesPerJob: 1,
    keyVariable: 'LUMEN_API_KEY',
    unknownId: 'a1b2c3d4e5f60000',
    kinds: [
      { kind: 'validation', prefer: 'code=400', vendorCode: 'invalid_request' },
      { kind: 'authentication', prefer: 'code=401', vendorCode: 'missing_api_key' },
      { kind: 'insufficient_credits', prefer: 'code=402', vendorCode: 'insufficient_credits' },
      { kind: 'not_found', prefer: 'code=404', vendorCode: 'model_not_found' },
      { kind: 'rate_limited', prefer: 'code=429', vendorCode: 'upstream_rate_limited' },
      { kind: 'upstream', prefer: 'code=502', vendorCode: 'upstream_error' },
      // Lumen refunds an upstream failure: a new task may succeed.
      { kind: 'job_failed', prefer: 'job-status=failed, job-error-code=upstream_error', vendorCode: 'upstream_error', retryable: true },
    ],
  },
  {
    slug: 'luma-agents',
    key: 'luma-api-mock-dev',
    jobs: (options) => createLumaAgentsClient(options).jobs as AnyJobs,
    ownWait: (options, id, wait) => createLumaAgentsClient(options).waitForGeneration(id, wait),
    model: 'uni-1',
    request: { prompt, model: 'uni-1', aspectRatio: '1:1' },
    jobsPerSubmission: 1,
    imagesPerJob: 1,
    keyVariable: 'LUMA_AGENTS_API_KEY',
    unknownId: '182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e',
    kinds: [
      { kind: 'validation', prefer: 'code=422' },
      { kind: 'authentication', prefer: 'code=401' },
      { kind: 'insufficient_credits', prefer: 'code=402' },
      { kind: 'permission', prefer: 'code=403' },
      { kind: 'rate_limited', prefer: 'code=429' },
      { kind: 'upstream', prefer: 'code=502' },
      { kind: 'not_found', unknownJob: true },
      { kind: 'job_failed', prefer: 'job-status=failed, job-error-code=generation_failed', vendorCode: 'generation_failed', retryable: true },
      { kind: 'job_failed', prefer: 'job-status=failed, job-error-code=budget_exhausted', vendorCode: 'budget_exhausted' },
      { kind: 'content_moderated', prefer: 'job-status=failed, job-error-code=content_moderated', vendorCode: 'content_moderated' },
    ],
  },
  {
    slug: 'useapi-luma',
    key: 'useapi_mock_dev',
    jobs: ({ apiKey, ...options }) => createUseapiLumaClient({ ...options, token: apiKey }).jobs as AnyJobs,
    model: 'photon-v2',
    request: { prompt, model: 'photon-v2', aspectRatio: '1:1' },
    jobsPerSubmission: 4,
    imagesPerJob: 4,
    keyVariable: 'USEAPI_TOKEN',
    // A job id names its user: one of ours with a uuid the mock never issued.
    unknownId: (issued) => issued.replace(/:[0-9a-f-]{36}-bot:luma$/, ':00000000-0000-4000-8000-000000000000-bot:luma'),
    kinds: [
      { kind: 'validation', prefer: 'code=400' },
      { kind: 'authentication', prefer: 'code=401' },
      { kind: 'insufficient_credits', prefer: 'code=402' },
      { kind: 'content_moderated', prefer: 'code=422', vendorCode: 422 },
      { kind: 'rate_limited', prefer: 'code=429', vendorCode: 429 },
      // An account whose Luma session expired: its credentials, refused before anything started.
      { kind: 'authentication', prefer: 'code=596' },
      { kind: 'not_found', unknownJob: true },
      { kind: 'job_failed', prefer: 'job-status=failed' },
    ],
  },
  {
    slug: 'lumozai',
    key: 'lmz_mock_dev',
    jobs: (options) => createLumozAIClient(options).jobs as AnyJobs,
    ownWait: (options, id, wait) => createLumozAIClient(options).waitForRequest(Number(id), wait),
    model: 'hidream-l1',
    request: { prompt, model: 'hidream-l1' },
    basePrefer: 'respond-async',
    jobsPerSubmission: 1,
    imagesPerJob: 1,
    keyVariable: 'LUMOZAI_API_KEY',
    unknownId: '212121212121212',
    kinds: [
      { kind: 'authentication', prefer: 'code=401', vendorCode: 'authentication_failed' },
      { kind: 'permission', prefer: 'code=403', vendorCode: 'permission_denied' },
      { kind: 'not_found', prefer: 'code=404', vendorCode: 'model_not_found' },
      { kind: 'validation', prefer: 'code=422', vendorCode: 'validation_error' },
      { kind: 'rate_limited', prefer: 'code=429', vendorCode: 'rate_limit_exceeded' },
      { kind: 'upstream', prefer: 'code=500', vendorCode: 'internal_server_error' },
      { kind: 'job_failed', prefer: 'job-status=failed' },
    ],
  },
];

/** `Prefer` values joined as RFC 7240 allows: one header, comma-separated. */
export function prefer(...values: (string | undefined)[]): Record<string, string> {
  const present = values.filter((value): value is string => value !== undefined);
  return present.length === 0 ? {} : { Prefer: present.join(', ') };
}
