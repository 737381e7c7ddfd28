import type { Job, JobPhase } from './core/job-store.js';

/**
 * What the mock server reports as it works, as data: `createMockServer({ onEvent })` receives
 * these, and `log` receives each formatted as one line ({@link formatMockEvent}). Secrets never
 * appear in full: keys are masked, presigned signatures and tokens in query strings too.
 */
export type MockEvent = RequestEvent | JobEvent;

/** One request, once answered (or abandoned). */
export interface RequestEvent {
  type: 'request';
  /** The request's number on this server, from 1, in arrival order. */
  id: number;
  /** The slug of the API that answered; null for the mock's own routes (`/`, `/docs`, `/_mock`) and unmounted paths. */
  api: string | null;
  /** As sent: a HEAD answered as a GET is still `HEAD`. */
  method: string;
  /** The request target as received, query string included, secrets in it masked. */
  path: string;
  /** The status answered; undefined when no answer was sent (see `outcome`). */
  status: number | undefined;
  /**
   * Why no answer was sent: the client went away, or an injected fault dropped it, naming what asked
   * for it: `dropped (Prefer: fault=reset)`, `dropped (fault plan fp_1: drop-after-commit)`.
   */
  outcome?: 'aborted by the client' | `dropped (${string})`;
  /** From arrival to the answer's last byte (or to the abandonment). */
  durationMs: number;
  /** The credential sent, masked (`air_…ev`); undefined when none was sent or the route takes none. */
  key?: string;
  /** When the request arrived, epoch ms on the wall clock (not the mock's clock: a request takes real time). */
  at: number;
  /**
   * For an error answer (4xx, 5xx) the mock chose: why, in one line, from the problem the pipeline
   * or handler raised: the validation issue with field and rule, the scope, the rate window, the
   * credential problem, the `Prefer` or fault plan that asked for it.
   */
  reason?: string;
  /** `Prefer` preferences nothing in the mock or the API read (a typo such as `jobstatus`); undefined when none. */
  ignoredPreferences?: string[];
}

/**
 * A job moving from one phase to another, as the API's answers show it: a change the API's own
 * words do not show (LumozAI says `processing` both queued and running) is not reported.
 */
export interface JobEvent {
  type: 'job';
  /** The API's slug. */
  api: string;
  jobId: string;
  /** The phase last reported; null when the job was just created. */
  from: JobPhase | null;
  to: JobPhase;
  /** The API's word for `from` (`pending`, `processing`...); null when the job was just created. */
  fromStatus: string | null;
  /** The API's word for `to` (`running`, `done`, `succeeded`...). */
  toStatus: string;
  /** When the change happened, epoch ms on the mock clock (a `ManualClock` moves it). */
  at: number;
}

/**
 * One line per event: `POST /lumixai/api/backend/v1/images/jobs 401 4.8ms  authentication (invalid key): Invalid API key`,
 * `lumixai job 5d0c...: pending -> running`.
 */
export function formatMockEvent(event: MockEvent): string {
  if (event.type === 'job') return `${event.api} job ${event.jobId}: ${event.fromStatus === null ? `created, ${event.toStatus}` : `${event.fromStatus} -> ${event.toStatus}`}`;
  let line = `${event.method} ${event.path} ${event.status ?? event.outcome} ${event.durationMs.toFixed(1)}ms`;
  if (event.reason !== undefined) line += `  ${oneLine(event.reason)}`;
  if (event.ignoredPreferences !== undefined) {
    line += `  (Prefer ${event.ignoredPreferences.join(', ')} ignored: no preference of the mock or of ${event.api ?? 'this API'} has that name)`;
  }
  return line;
}

/** A reason is shown on its request's line whatever it holds. */
function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 299)}…` : flat;
}

/**
 * The job half of the events: told of each phase a job enters (`SharedContext.onJobPhase`), emits
 * the changes the API's words show. `wordsOf(slug)` is read at each change: an API's words are
 * known only once it is created, after its stores.
 */
export function jobEventSource(
  emit: (event: JobEvent) => void,
  now: () => number,
  wordsOf: (slug: string) => Partial<Record<JobPhase, string>> | undefined,
): (slug: string, job: Job<unknown>, phase: JobPhase) => void {
  const shown = new WeakMap<Job<unknown>, JobPhase>();
  return (slug, job, phase) => {
    const words = wordsOf(slug);
    const word = (p: JobPhase) => words?.[p] ?? p;
    const from = shown.get(job);
    if (from !== undefined && word(from) === word(phase)) return;
    shown.set(job, phase);
    emit({ type: 'job', api: slug, jobId: job.id, from: from ?? null, to: phase, fromStatus: from === undefined ? null : word(from), toStatus: word(phase), at: now() });
  };
}
