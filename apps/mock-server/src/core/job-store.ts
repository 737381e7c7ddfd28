import { randomUUID } from 'node:crypto';

import type { Clock } from './clock.js';

/** Vendor-neutral stages of a job; each vendor names them its own way (pending/queued, done/completed...). */
export type JobPhase = 'queued' | 'running' | 'succeeded' | 'failed';

/** How long a job spends queued and running before it settles. */
export interface JobTiming {
  queuedMs: number;
  runningMs: number;
}

export interface Job<TInput> {
  id: string;
  /** Workspace that created it; no other workspace can see it. */
  owner: string;
  input: TInput;
  createdAt: number;
  startedAt: number;
  settledAt: number;
  outcome: 'succeeded' | 'failed';
  /** Vendor-facing message when `outcome` is failed. */
  failureMessage?: string;
  /** Credits taken at creation, given back if the job fails. */
  charged: number;
}

export interface JobStoreOptions {
  /** Keep a finished job's results downloadable this long after it settles. */
  resultRetentionMs: number;
  /** Forget a job entirely this long after it settles (its id then answers 404). */
  jobRetentionMs: number;
}

/**
 * Jobs whose phase is a pure function of the clock: nothing ticks in the background, so a manual
 * clock moved forward by a test moves every job with it, and no timer outlives the server.
 */
export class JobStore<TInput> {
  #jobs = new Map<string, Job<TInput>>();
  #settleListeners: Array<(job: Job<TInput>) => void> = [];
  #sweepCountdown = 0;

  constructor(
    private readonly clock: Clock,
    private readonly options: JobStoreOptions,
  ) {}

  create(init: {
    owner: string;
    input: TInput;
    timing: JobTiming;
    outcome?: 'succeeded' | 'failed';
    failureMessage?: string;
    charged?: number;
    id?: string;
  }): Job<TInput> {
    this.#maybeSweep();
    const createdAt = this.clock.now();
    const job: Job<TInput> = {
      id: init.id ?? randomUUID(),
      owner: init.owner,
      input: init.input,
      createdAt,
      startedAt: createdAt + init.timing.queuedMs,
      settledAt: createdAt + init.timing.queuedMs + init.timing.runningMs,
      outcome: init.outcome ?? 'succeeded',
      failureMessage: init.failureMessage,
      charged: init.charged ?? 0,
    };
    this.#jobs.set(job.id, job);
    if (this.#settleListeners.length > 0) this.#notifyWhenSettled(job);
    return job;
  }

  /** The job if it exists, is still retained, and belongs to `owner`. */
  get(id: string, owner: string): Job<TInput> | undefined {
    const job = this.#jobs.get(id);
    if (!job || job.owner !== owner) return undefined;
    if (this.clock.now() >= job.settledAt + this.options.jobRetentionMs) {
      this.#jobs.delete(id);
      return undefined;
    }
    return job;
  }

  phase(job: Job<TInput>): JobPhase {
    const now = this.clock.now();
    if (now < job.startedAt) return 'queued';
    if (now < job.settledAt) return 'running';
    return job.outcome;
  }

  /** Share of the run done, 0-100, for vendors that report progress. */
  progress(job: Job<TInput>): number {
    const now = this.clock.now();
    if (now >= job.settledAt) return 100;
    if (now < job.startedAt) return 0;
    return Math.floor(((now - job.startedAt) / Math.max(1, job.settledAt - job.startedAt)) * 100);
  }

  /** Whether the job's results can still be fetched ("download promptly"). */
  resultsAvailable(job: Job<TInput>): boolean {
    return this.phase(job) === 'succeeded' && this.clock.now() < job.settledAt + this.options.resultRetentionMs;
  }

  /** Resolves when the job has settled (at once if it has). */
  async settled(job: Job<TInput>, signal?: AbortSignal): Promise<JobPhase> {
    await this.clock.sleepUntil(job.settledAt, signal);
    return this.phase(job);
  }

  /** Calls `listener` once for every job created from now on, when it settles (webhooks hook in here). */
  onSettled(listener: (job: Job<TInput>) => void): void {
    this.#settleListeners.push(listener);
  }

  get size(): number {
    return this.#jobs.size;
  }

  clear(): void {
    this.#jobs.clear();
  }

  #notifyWhenSettled(job: Job<TInput>): void {
    const notify = () => {
      for (const listener of this.#settleListeners) listener(job);
    };
    // A job that settles at creation (instant timing) needs no timer.
    if (job.settledAt <= this.clock.now()) queueMicrotask(notify);
    else void this.clock.sleepUntil(job.settledAt).then(notify);
  }

  // Forgetting expired jobs on create keeps memory bounded under long benchmark or soak runs
  // without a background timer.
  #maybeSweep(): void {
    if (--this.#sweepCountdown > 0) return;
    this.#sweepCountdown = 1000;
    const now = this.clock.now();
    for (const [id, job] of this.#jobs) {
      if (now >= job.settledAt + this.options.jobRetentionMs) this.#jobs.delete(id);
    }
  }
}
