import type { JobTiming } from './job-store.js';

/**
 * How long jobs take. `instant`: a job is already finished at its first poll (creation still
 * answers with the initial status, as the real API does). `realistic`: each model's documented
 * typical duration. An object: fixed durations for every job.
 */
export type TimingMode = 'instant' | 'realistic' | JobTiming;

const FALLBACK_TYPICAL_MS = 30_000;

/** The queued and running durations of one job. */
export function jobTiming(mode: TimingMode, typicalMs: number | undefined): JobTiming {
  if (mode === 'instant') return { queuedMs: 0, runningMs: 0 };
  if (mode === 'realistic') {
    const total = typicalMs ?? FALLBACK_TYPICAL_MS;
    // Real queues hand work out within a second or two; almost all the time is generation.
    const queuedMs = Math.min(1500, Math.round(total * 0.1));
    return { queuedMs, runningMs: total - queuedMs };
  }
  return mode;
}
