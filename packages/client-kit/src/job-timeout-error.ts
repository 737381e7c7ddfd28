import { ClientError } from './error-kind.js';

/** Constructor options of {@link JobTimeoutError}. */
export interface JobTimeoutErrorOptions<TJob> {
  /** The last status received, or `undefined` if no poll completed. Required. */
  lastJob: TJob | undefined;
  /** Time spent waiting, in ms. Required. */
  elapsedMs: number;
  /** The deadline that was exceeded, in ms. Required. */
  timeoutMs: number;
  /** The job's serialised handle, to resume waiting. Default: `undefined`. */
  handle?: string | undefined;
  /** The vendor's slug. Default: `undefined`. */
  vendor?: string | undefined;
}

/**
 * Thrown by `waitForJob` when the job is not terminal by the deadline. The job goes on (and may be
 * billed): waiting again is safe, and `handle`, when set, resumes it in any process.
 */
export class JobTimeoutError<TJob = unknown> extends ClientError {
  /** The last status received, or `undefined` if no poll completed. */
  readonly lastJob: TJob | undefined;
  /** Time spent waiting, in ms. */
  readonly elapsedMs: number;
  /** The deadline that was exceeded, in ms. */
  readonly timeoutMs: number;

  constructor(options: JobTimeoutErrorOptions<TJob>) {
    super(
      `Job did not reach a terminal status within ${options.timeoutMs} ms` +
        (options.handle === undefined ? '' : `; resume it with jobs.wait(handle): ${options.handle}`),
      { kind: 'timeout', retryable: true, mayHaveTakenEffect: true, vendor: options.vendor, handle: options.handle },
    );
    this.lastJob = options.lastJob;
    this.elapsedMs = options.elapsedMs;
    this.timeoutMs = options.timeoutMs;
  }
}
