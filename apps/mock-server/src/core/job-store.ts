import { randomUUID } from 'node:crypto';

import type { Clock } from './clock.js';
import { Amount } from './credit-ledger.js';
import { ExpiringMap } from './expiring-map.js';

/**
 * Vendor-neutral stages of a job; each vendor names them its own way (pending/queued,
 * done/completed/succeeded...) through its `jobStatuses` map.
 */
export const JOB_PHASES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobPhase = (typeof JOB_PHASES)[number];
/** The phases a job never leaves. */
export type TerminalPhase = Extract<JobPhase, 'succeeded' | 'failed' | 'cancelled'>;

export function isTerminalPhase(phase: JobPhase): phase is TerminalPhase {
  return phase === 'succeeded' || phase === 'failed' || phase === 'cancelled';
}

/** How long a job spends queued and running before it settles. */
export interface JobTiming {
  queuedMs: number;
  runningMs: number;
}

/** Why a job failed, in the vendor's words: a machine code where the vendor has one, and a message. */
export interface JobFailure {
  code?: string;
  message: string;
}

export interface Job<TInput> {
  id: string;
  /** Workspace that created it; no other workspace can see it. */
  owner: string;
  input: TInput;
  createdAt: number;
  startedAt: number;
  /** When it reaches its terminal phase (moved earlier if it is cancelled). */
  settledAt: number;
  /** The terminal phase it reaches at `settledAt`. */
  outcome: TerminalPhase;
  /** Set when `outcome` is failed. */
  failure?: JobFailure;
  /** Credits taken at creation, given back if the job fails or is cancelled. */
  charged: Amount;
  /** The progress it had when it was cancelled, kept from then on. */
  progressWhenCancelled?: number;
}

export interface JobStoreOptions {
  /** Keep a finished job's results downloadable this long after it settles. */
  resultRetentionMs: number;
  /** Forget a job entirely this long after it settles (its id then answers 404). */
  jobRetentionMs: number;
}

export interface CreateJob<TInput> {
  owner: string;
  input: TInput;
  timing: JobTiming;
  /** Default: `succeeded`. */
  outcome?: TerminalPhase;
  /** Required in spirit when `outcome` is failed; a generic message is used otherwise. */
  failure?: JobFailure;
  /** Default: nothing. */
  charged?: Amount | number;
  /** Default: a random UUID. */
  id?: string;
}

type Listener<TInput> = (job: Job<TInput>) => void;

/**
 * Jobs whose phase is a pure function of the clock: nothing ticks in the background, so a manual
 * clock moved forward by a test moves every job with it. The only timers are the ones that tell
 * settle listeners (billing refunds, webhooks) when a job settles; `clear()` cancels them, so a
 * job of before a reset can never touch the state after it.
 */
export class JobStore<TInput> {
  #jobs: ExpiringMap<string, Job<TInput>>;
  #createdListeners: Array<Listener<TInput>> = [];
  #settledListeners: Array<Listener<TInput>> = [];
  /** Pending settle notifications by job id, aborted on cancel() and clear(). */
  #pending = new Map<string, AbortController>();
  /** Set by stop(): settle listeners are never called again. */
  #stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly options: JobStoreOptions,
  ) {
    // Forgotten `jobRetentionMs` after it settles (settledAt moves earlier if it is cancelled).
    this.#jobs = new ExpiringMap(clock, (job) => job.settledAt + options.jobRetentionMs);
  }

  create(init: CreateJob<TInput>): Job<TInput> {
    const createdAt = this.clock.now();
    const outcome = init.outcome ?? 'succeeded';
    const job: Job<TInput> = {
      id: init.id ?? randomUUID(),
      owner: init.owner,
      input: init.input,
      createdAt,
      startedAt: createdAt + init.timing.queuedMs,
      settledAt: createdAt + init.timing.queuedMs + init.timing.runningMs,
      outcome,
      charged: Amount.of(init.charged ?? 0),
    };
    if (outcome === 'failed') job.failure = init.failure ?? { message: 'The job failed' };
    this.#jobs.set(job.id, job);
    for (const listener of this.#createdListeners) listener(job);
    if (this.#settledListeners.length > 0 && !this.#stopped) this.#notifyWhenSettled(job);
    return job;
  }

  /** The job if it exists, is still retained, and belongs to `owner`. */
  get(id: string, owner: string): Job<TInput> | undefined {
    const job = this.#jobs.get(id);
    return job && job.owner === owner ? job : undefined;
  }

  /**
   * The job if it exists and is still retained, whoever owns it: for URLs that carry no key
   * (presigned outputs, public result files), where a valid signature or the file's unguessable
   * name already proves who it was handed to; never for answers to a workspace.
   */
  find(id: string): Job<TInput> | undefined {
    return this.#jobs.get(id);
  }

  phase(job: Job<TInput>): JobPhase {
    const now = this.clock.now();
    if (now >= job.settledAt) return job.outcome;
    if (now < job.startedAt) return 'queued';
    return 'running';
  }

  /** Share of the run done, 0-100, for vendors that report progress; frozen where a job stopped early. */
  progress(job: Job<TInput>): number {
    if (job.progressWhenCancelled !== undefined) return job.progressWhenCancelled;
    if (this.phase(job) === 'succeeded') return 100;
    const now = Math.min(this.clock.now(), job.settledAt);
    if (now < job.startedAt) return 0;
    return Math.min(99, Math.floor(((now - job.startedAt) / Math.max(1, job.settledAt - job.startedAt)) * 100));
  }

  /**
   * Stops a job that has not settled: it is `cancelled` from now on and settle listeners hear of
   * it at once. Returns false (and changes nothing) when it had already settled.
   */
  cancel(job: Job<TInput>): boolean {
    const now = this.clock.now();
    if (now >= job.settledAt) return false;
    job.progressWhenCancelled = this.progress(job);
    job.outcome = 'cancelled';
    delete job.failure;
    job.settledAt = now;
    job.startedAt = Math.min(job.startedAt, now);
    const pending = this.#pending.get(job.id);
    if (pending) {
      this.#pending.delete(job.id);
      pending.abort();
      this.#notify(job);
    }
    return true;
  }

  /**
   * Forgets a job that has settled, for vendors whose API deletes jobs: its id is unknown from now
   * on. Returns false (and changes nothing) while it is still queued or running; `cancel` it first.
   */
  delete(job: Job<TInput>): boolean {
    if (!isTerminalPhase(this.phase(job)) || this.#jobs.get(job.id) !== job) return false;
    this.#jobs.delete(job.id);
    return true;
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

  /** Calls `listener` for every job created from now on, right after it is stored. */
  onCreated(listener: Listener<TInput>): void {
    this.#createdListeners.push(listener);
  }

  /**
   * Calls `listener` once for every job created from now on, when it settles (succeeded, failed or
   * cancelled): billing refunds and webhooks hook in here.
   */
  onSettled(listener: Listener<TInput>): void {
    this.#settledListeners.push(listener);
  }

  get size(): number {
    return this.#jobs.size;
  }

  /** Every job still retained, oldest first (a read-only view for inspection). */
  *all(): IterableIterator<Job<TInput>> {
    yield* this.#jobs.values();
  }

  /**
   * Cancels every pending settle notification and calls no listener again, keeping the jobs
   * readable: the server is closed, so nothing a job triggers (refunds, webhooks) may fire.
   */
  stop(): void {
    this.#stopped = true;
    for (const controller of this.#pending.values()) controller.abort();
    this.#pending.clear();
  }

  /** Forgets every job and cancels every pending settle notification. */
  clear(): void {
    for (const controller of this.#pending.values()) controller.abort();
    this.#pending.clear();
    this.#jobs.clear();
  }

  #notify(job: Job<TInput>): void {
    if (this.#stopped) return;
    for (const listener of this.#settledListeners) listener(job);
  }

  #notifyWhenSettled(job: Job<TInput>): void {
    // A job that settles at creation (instant timing) needs no timer.
    if (job.settledAt <= this.clock.now()) {
      queueMicrotask(() => {
        if (this.#jobs.get(job.id) === job) this.#notify(job);
      });
      return;
    }
    const controller = new AbortController();
    this.#pending.set(job.id, controller);
    this.clock.sleepUntil(job.settledAt, controller.signal).then(
      () => {
        this.#pending.delete(job.id);
        this.#notify(job);
      },
      () => undefined, // aborted by cancel() or clear()
    );
  }
}
