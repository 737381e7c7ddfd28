import { JobTimeoutError } from './job-timeout-error.js';
import { raceAbort } from './race-abort.js';
import type { Sleep } from './sleep.js';
import { sleep as defaultSleep } from './sleep.js';

// setTimeout fires at once for longer delays, which would abort a request instantly.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** What {@link WaitForJobOptions.onStatus} is told with each status. */
export interface PollInfo {
  /** 1 for the first poll. */
  attempt: number;
  /** Time since `waitForJob` was called, in ms. */
  elapsedMs: number;
}

/** Options of {@link waitForJob}. */
export interface WaitForJobOptions<TJob, TTerminal extends TJob = TJob> {
  /** Fetches the job's current state; pass `signal` on to the request. Required. */
  getStatus: (signal: AbortSignal) => Promise<TJob>;
  /**
   * Whether polling can stop. Required. A type predicate (`job is Done`) narrows the result to
   * the terminal type.
   */
  isTerminal: ((job: TJob) => job is TTerminal) | ((job: TJob) => boolean);
  /** Wait after the first non-terminal poll, in ms. Default: `2000`. */
  intervalMs?: number;
  /** Each following wait is the previous one times this factor. Default: `1.5`. */
  backoffFactor?: number;
  /** Upper bound of a wait between polls, in ms. Default: `15_000`. */
  maxIntervalMs?: number;
  /**
   * Overall deadline from the call, in ms; `Infinity` for none. A request still in flight at the
   * deadline is aborted, and the promise rejects with {@link JobTimeoutError}. Default: `600_000`.
   */
  timeoutMs?: number;
  /** Stops waiting, mid-sleep or mid-request, rejecting with `signal.reason`. Default: none. */
  signal?: AbortSignal;
  /** Called with every status received, terminal or not. Default: none. */
  onStatus?: (job: TJob, info: PollInfo) => void;
  /** Waits between polls. Default: {@link defaultSleep | sleep}. */
  sleep?: Sleep;
  /** Current time in ms. Default: `Date.now`. */
  now?: () => number;
  /** The job's serialised handle (`serializeJobHandle`), carried by the `JobTimeoutError`. Default: none. */
  handle?: string | undefined;
}

/**
 * Polls `getStatus` until `isTerminal` accepts the job, and returns that job (whether it succeeded
 * or failed: telling those apart is the vendor client's job). The first poll is immediate; waits
 * between polls grow by `backoffFactor` up to `maxIntervalMs`, and the last one is clipped to the
 * deadline. Errors thrown by `getStatus` are not retried; wrap its fetch with `createRetryingFetch`.
 */
export async function waitForJob<TJob, TTerminal extends TJob = TJob>(
  options: WaitForJobOptions<TJob, TTerminal>,
): Promise<TTerminal> {
  const {
    getStatus,
    isTerminal,
    intervalMs = 2000,
    backoffFactor = 1.5,
    maxIntervalMs = 15_000,
    timeoutMs = 600_000,
    signal,
    onStatus,
    sleep = defaultSleep,
    now = Date.now,
    handle,
  } = options;
  if (!(intervalMs >= 0) || !(maxIntervalMs >= 0)) throw new TypeError('intervalMs and maxIntervalMs must be >= 0');
  if (!(backoffFactor >= 1)) throw new TypeError(`backoffFactor must be >= 1, got ${backoffFactor}`);
  if (!(timeoutMs > 0)) throw new TypeError(`timeoutMs must be > 0, got ${timeoutMs}`);

  const startedAt = now();
  const deadline = startedAt + timeoutMs;
  let lastJob: TJob | undefined;
  const timedOut = (): JobTimeoutError<TJob> =>
    new JobTimeoutError({ lastJob, elapsedMs: now() - startedAt, timeoutMs, handle });

  let interval = Math.min(intervalMs, maxIntervalMs);
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    const remainingMs = deadline - now();
    if (remainingMs <= 0) throw timedOut();

    const job = await pollBeforeDeadline(getStatus, remainingMs, signal, timedOut);
    lastJob = job;
    onStatus?.(job, { attempt, elapsedMs: now() - startedAt });
    if (isTerminal(job)) return job as TTerminal;

    const untilDeadlineMs = deadline - now();
    if (untilDeadlineMs <= 0) throw timedOut();
    await sleep(Math.min(interval, untilDeadlineMs), signal);
    interval = Math.min(interval * backoffFactor, maxIntervalMs);
  }
}

async function pollBeforeDeadline<TJob>(
  getStatus: (signal: AbortSignal) => Promise<TJob>,
  remainingMs: number,
  signal: AbortSignal | undefined,
  timedOut: () => Error,
): Promise<TJob> {
  const deadline = new AbortController();
  const timer = remainingMs <= MAX_TIMER_MS ? setTimeout(() => deadline.abort(), remainingMs) : undefined;
  const requestSignal = signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal;
  try {
    return await raceAbort(getStatus(requestSignal), requestSignal);
  } catch (error) {
    // A caller's abort already surfaces as its reason (raceAbort); the deadline's needs translating.
    if (deadline.signal.aborted) throw timedOut();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
