import { JobTimeoutError } from './job-timeout-error.js';
import type { WaitForJobOptions } from './wait-for-job.js';
import { waitForJob } from './wait-for-job.js';

/** How one job of {@link waitForJobs} ended. */
export type JobOutcome<TJob, TTerminal extends TJob = TJob> =
  /** `isTerminal` accepted the job: it succeeded or failed, as the vendor client decides. */
  | { state: 'terminal'; job: TTerminal }
  /** The shared deadline passed first; `lastJob` is the last status received, if any. */
  | { state: 'timeout'; lastJob: TJob | undefined }
  /** `getStatus` threw (after any retries of its fetch); the other jobs were still waited for. */
  | { state: 'error'; error: unknown; lastJob: TJob | undefined };

/** Fields every {@link JobsProgress} update carries. */
interface ProgressBase<TKey> {
  /** The job the update is about. */
  key: TKey;
  /** Its position in `jobs`. */
  index: number;
  /** Jobs settled so far, this one included when `type` is `'settled'`. */
  settled: number;
  /** Number of jobs waited for. */
  total: number;
  /** Time since `waitForJobs` was called, in ms. */
  elapsedMs: number;
}

/** What {@link WaitForJobsOptions.onProgress} is told: each status polled, then each job's outcome. */
export type JobsProgress<TKey, TJob, TTerminal extends TJob = TJob> =
  | (ProgressBase<TKey> & { type: 'status'; job: TJob; attempt: number })
  | (ProgressBase<TKey> & { type: 'settled'; outcome: JobOutcome<TJob, TTerminal> });

/** Options of {@link waitForJobs}; the polling options apply to each job. */
export interface WaitForJobsOptions<TKey, TJob, TTerminal extends TJob = TJob>
  extends Omit<WaitForJobOptions<TJob, TTerminal>, 'getStatus' | 'onStatus' | 'handle'> {
  /** The jobs to wait for, e.g. their ids. Required. */
  jobs: readonly TKey[];
  /** Fetches one job's current state; pass `signal` on to the request. Required. */
  getStatus: (key: TKey, signal: AbortSignal) => Promise<TJob>;
  /**
   * Called with every status received and with every job's outcome as it settles. An exception it
   * throws stops every poll and rejects `waitForJobs` with that exception. Default: none.
   */
  onProgress?: (update: JobsProgress<TKey, TJob, TTerminal>) => void;
}

/**
 * Polls several jobs at once, under one deadline (`timeoutMs`, from the call) and one `signal`, and
 * resolves with each job's {@link JobOutcome} in the order of `jobs`: one job failing to poll or
 * running out of time does not stop the others. Each job is polled as {@link waitForJob} polls.
 *
 * Rejects only when `signal` aborts (with `signal.reason`, promptly, stopping every poll) or when
 * `onProgress` throws.
 */
export async function waitForJobs<TKey, TJob, TTerminal extends TJob = TJob>(
  options: WaitForJobsOptions<TKey, TJob, TTerminal>,
): Promise<JobOutcome<TJob, TTerminal>[]> {
  const { jobs, getStatus, onProgress, signal, timeoutMs = 600_000, now = Date.now, ...polling } = options;
  if (!(timeoutMs > 0)) throw new TypeError(`timeoutMs must be > 0, got ${timeoutMs}`);
  signal?.throwIfAborted();

  const startedAt = now();
  const deadline = startedAt + timeoutMs;
  // A throwing onProgress stops the other polls through this signal rather than leaving them running.
  const stop = new AbortController();
  const pollSignal = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  let callbackError: { error: unknown } | undefined;
  let settled = 0;

  const report = (update: JobsProgress<TKey, TJob, TTerminal>): void => {
    if (!onProgress) return;
    try {
      onProgress(update);
    } catch (error) {
      callbackError ??= { error };
      stop.abort(error);
      throw error;
    }
  };

  const waitForOne = async (key: TKey, index: number): Promise<JobOutcome<TJob, TTerminal>> => {
    let lastJob: TJob | undefined;
    let outcome: JobOutcome<TJob, TTerminal>;
    try {
      const job = await waitForJob<TJob, TTerminal>({
        ...polling,
        now,
        signal: pollSignal,
        // Every job measures from the same instant, so they share one deadline.
        timeoutMs: Math.max(deadline - now(), Number.MIN_VALUE),
        getStatus: (requestSignal) => getStatus(key, requestSignal),
        onStatus: (polled, info) => {
          lastJob = polled;
          report({
            type: 'status',
            key,
            index,
            job: polled,
            attempt: info.attempt,
            settled,
            total: jobs.length,
            elapsedMs: now() - startedAt,
          });
        },
      });
      outcome = { state: 'terminal', job };
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (callbackError) throw callbackError.error;
      outcome = error instanceof JobTimeoutError ? { state: 'timeout', lastJob } : { state: 'error', error, lastJob };
    }
    settled += 1;
    report({ type: 'settled', key, index, outcome, settled, total: jobs.length, elapsedMs: now() - startedAt });
    return outcome;
  };

  return Promise.all(jobs.map(waitForOne));
}
