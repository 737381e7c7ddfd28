import type { ErrorKind } from './error-kind.js';
import { ClientError } from './error-kind.js';

/** Options of {@link JobFailedError}. */
export interface JobFailedErrorOptions {
  /** The vendor's machine-readable reason (`failure_code`, `error.code`). Default: `undefined`. */
  vendorCode?: string | undefined;
  /** `content_moderated` when the vendor's reason says so. Default: `'job_failed'`. */
  kind?: Extract<ErrorKind, 'job_failed' | 'content_moderated'> | undefined;
  /** Whether submitting the same request again may succeed (an upstream hiccup). Default: `false`. */
  retryable?: boolean | undefined;
  /** The vendor's slug. Default: `undefined`. */
  vendor?: string | undefined;
  /** The job's serialised handle. Default: `undefined`. */
  handle?: string | undefined;
  /** The underlying error. Default: none. */
  cause?: unknown;
}

/**
 * Thrown by vendor clients when a job ends in a failed terminal status; `waitForJob` itself
 * returns whatever terminal job it reaches. The job ran, so `mayHaveTakenEffect` is `true`.
 */
export class JobFailedError<TJob = unknown> extends ClientError {
  /** The failed job, as last reported by the API. */
  readonly job: TJob;
  /** The vendor's machine-readable reason, when it gave one. */
  readonly vendorCode: string | undefined;

  constructor(job: TJob, message = 'Job ended in a failed status', options: JobFailedErrorOptions = {}) {
    super(message, {
      kind: options.kind ?? 'job_failed',
      retryable: options.retryable ?? false,
      mayHaveTakenEffect: true,
      vendor: options.vendor,
      handle: options.handle,
      ...('cause' in options ? { cause: options.cause } : {}),
    });
    this.job = job;
    this.vendorCode = options.vendorCode;
  }
}
