/** Thrown by `waitForJob` when the job is not terminal by the deadline. */
export class JobTimeoutError<TJob = unknown> extends Error {
  /** The last status received, or `undefined` if no poll completed. */
  readonly lastJob: TJob | undefined;
  /** Time spent waiting, in ms. */
  readonly elapsedMs: number;
  /** The deadline that was exceeded, in ms. */
  readonly timeoutMs: number;

  constructor(options: { lastJob: TJob | undefined; elapsedMs: number; timeoutMs: number }) {
    super(`Job did not reach a terminal status within ${options.timeoutMs} ms`);
    this.name = new.target.name;
    this.lastJob = options.lastJob;
    this.elapsedMs = options.elapsedMs;
    this.timeoutMs = options.timeoutMs;
  }
}
