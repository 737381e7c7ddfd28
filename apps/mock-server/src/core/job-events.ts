import type { Clock } from './clock.js';
import { isTerminalPhase } from './job-store.js';
import type { Job, JobPhase, JobStore } from './job-store.js';

/** Told of each phase a job enters: at creation, when it starts running, when it settles. */
export type JobPhaseListener<TInput> = (job: Job<TInput>, phase: JobPhase) => void;

/**
 * Reports every phase change of the store's jobs, once each, in order. Phases are a pure function
 * of the clock, so the change to `running` is found by waiting on the clock for `startedAt`, and
 * the terminal one through the store's settle notification (which a cancel also triggers).
 * `reset()` drops the pending waits (the store forgot its jobs); `stop()` drops them for good.
 */
export function watchJobPhases<TInput>(store: JobStore<TInput>, clock: Clock, listener: JobPhaseListener<TInput>): { reset(): void; stop(): void } {
  const reported = new WeakMap<Job<TInput>, JobPhase>();
  let waits = new AbortController();
  let stopped = false;
  const report = (job: Job<TInput>, phase: JobPhase = store.phase(job)) => {
    if (stopped) return;
    const previous = reported.get(job);
    // A settled job never goes back: a clock moved past both times at once may wake the settle
    // notification before the wait for `startedAt`.
    if (phase === previous || (previous !== undefined && isTerminalPhase(previous))) return;
    reported.set(job, phase);
    listener(job, phase);
  };
  store.onCreated((job) => {
    report(job);
    if (clock.now() < job.startedAt && job.startedAt < job.settledAt) {
      clock.sleepUntil(job.startedAt, waits.signal).then(
        () => report(job, 'running'),
        () => undefined, // reset or stopped
      );
    }
  });
  store.onSettled((job) => report(job));
  return {
    reset() {
      waits.abort();
      waits = new AbortController();
    },
    stop() {
      stopped = true;
      waits.abort();
    },
  };
}
