/** The three steps of {@link runJob}, each handed the same signal. */
export interface RunJobOptions<TCreated, TJob, TResult> {
  /** Submits the job. */
  create: (signal: AbortSignal | undefined) => Promise<TCreated>;
  /** Waits for the created job to finish, e.g. with `waitForJob`. */
  wait: (created: TCreated, signal: AbortSignal | undefined) => Promise<TJob>;
  /** Fetches the finished job's output. */
  download: (job: TJob, signal: AbortSignal | undefined) => Promise<TResult>;
  /** Cancels whichever step is running; no later step starts once it aborts. Default: none. */
  signal?: AbortSignal;
}

/** Everything {@link runJob} produced, for callers that need the job id or metadata too. */
export interface RunJobResult<TCreated, TJob, TResult> {
  created: TCreated;
  job: TJob;
  result: TResult;
}

/** Runs create → wait → download in order, rejecting with `signal.reason` once `signal` aborts. */
export async function runJob<TCreated, TJob, TResult>({
  create,
  wait,
  download,
  signal,
}: RunJobOptions<TCreated, TJob, TResult>): Promise<RunJobResult<TCreated, TJob, TResult>> {
  signal?.throwIfAborted();
  const created = await create(signal);
  signal?.throwIfAborted();
  const job = await wait(created, signal);
  signal?.throwIfAborted();
  const result = await download(job, signal);
  return { created, job, result };
}
