/**
 * Thrown by vendor clients when a job ends in a failed terminal status; `waitForJob` itself
 * returns whatever terminal job it reaches.
 */
export class JobFailedError<TJob = unknown> extends Error {
  /** The failed job, as last reported by the API. */
  readonly job: TJob;

  constructor(job: TJob, message = 'Job ended in a failed status', options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.job = job;
  }
}
