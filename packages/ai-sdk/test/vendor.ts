// What test/vendors/<slug>.ts states about its vendor (kept apart from vendors.ts, which imports
// those files: a file it imports while it is being evaluated cannot import it back).
import type { ErrorKind, ImageJobClient, ImageRequest } from '@imagegen/client-kit';
import type { ApiSlug } from '@imagegen/mock-server';

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
  /** The wait the error carries, from the answer's Retry-After. Default: not checked. */
  retryAfterMs?: number;
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
  /** The vendor honours an Idempotency-Key: a repeated submission gets the first job back. Default: `false`. */
  idempotentSubmissions?: boolean;
  /** The client's `jobs.cancel` cancels a pending job. Default: `false` (the vendor has no cancel). */
  cancels?: boolean;
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

export const prompt = 'a lighthouse at dusk';
