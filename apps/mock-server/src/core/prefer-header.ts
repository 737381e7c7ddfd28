import type { JobPhase } from './job-store.js';
import { isTerminalPhase } from './job-store.js';
import { problem } from './problems.js';
import type { RequestedOutcome } from './vendor-api.js';

/**
 * Reads RFC 7240 `Prefer` preferences, the header Prism users already know for choosing a
 * response (`Prefer: code=503`). Several may be comma-separated or sent in several headers.
 */
export function parsePrefer(header: string | string[] | undefined): Map<string, string> {
  const preferences = new Map<string, string>();
  const values = header === undefined ? [] : Array.isArray(header) ? header : [header];
  for (const value of values) {
    for (const part of splitOutsideQuotes(value, ',')) {
      const [token, ...rest] = splitOutsideQuotes(part, ';')[0]?.split('=') ?? [];
      const name = token?.trim().toLowerCase();
      if (!name) continue;
      preferences.set(name, rest.join('=').trim().replace(/^"(.*)"$/, '$1'));
    }
  }
  return preferences;
}

/** Splits on `separator` except inside double quotes, so `job-error="a, b"` stays one preference. */
function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    if (char === separator && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts;
}

/**
 * `Prefer: job-status=<word>` read through the API's own status names, so a test writes the
 * vendor's word (`error` for LumixAI, `failed` for Lumen) and every API shares one parser.
 * `job-error-code=<code>` and `job-error="<message>"` choose the failure's code and message.
 * A word the API does not use for a terminal status is the caller's mistake: a `validation`
 * problem raised by the mock's own control, naming the words it accepts.
 */
export function readRequestedOutcome(
  prefer: ReadonlyMap<string, string>,
  statuses: Partial<Record<JobPhase, string>> | undefined,
  failureCodes: readonly string[] | undefined,
): RequestedOutcome | undefined {
  const word = prefer.get('job-status');
  const code = prefer.get('job-error-code');
  const message = prefer.get('job-error');
  if (word === undefined) {
    if (code !== undefined || message !== undefined) {
      throw controlProblem('job-error-code and job-error go with Prefer: job-status=<a failed status>');
    }
    return undefined;
  }
  const terminal = Object.entries(statuses ?? {}).filter(([phase]) => isTerminalPhase(phase as JobPhase)) as Array<[JobPhase, string]>;
  const phase = terminal.find(([, name]) => name === word)?.[0];
  if (phase === undefined || !isTerminalPhase(phase)) {
    const accepted = terminal.map(([, name]) => name);
    throw controlProblem(
      accepted.length === 0
        ? 'Prefer: job-status is not supported: this API has no jobs'
        : `Prefer: job-status=${word} is not a final status of this API; use one of ${accepted.join(', ')}`,
    );
  }
  if (phase !== 'failed') {
    if (code !== undefined || message !== undefined) throw controlProblem(`job-error-code and job-error go with job-status=${statuses?.failed ?? 'failed'}`);
    return { phase };
  }
  if (code !== undefined && failureCodes && !failureCodes.includes(code)) {
    throw controlProblem(
      failureCodes.length === 0
        ? `Prefer: job-error-code is not supported: this API's failed jobs carry no code (job-error="<message>" sets the message)`
        : `Prefer: job-error-code=${code} is not a failure code of this API; use one of ${failureCodes.join(', ')}`,
    );
  }
  return {
    phase,
    failure: { ...(code === undefined ? {} : { code }), ...(message === undefined ? {} : { message }) },
  };
}

/**
 * The preferences that are the mock's own controls, not the vendor's: a proxy simulates them in
 * front of the real service and never forwards them. (RFC 7240's own, such as `respond-async` or
 * `wait`, are the vendor's to honour.)
 */
export const MOCK_PREFERENCES = ['code', 'fault', 'latency', 'job-status', 'job-error-code', 'job-error'] as const;

/**
 * `Prefer` without the preferences named in `names` (each other token kept as sent, parameters and
 * quoted commas included); undefined when nothing is left.
 */
export function withoutPreferences(header: string | string[] | undefined, names: ReadonlySet<string>): string | undefined {
  const values = header === undefined ? [] : Array.isArray(header) ? header : [header];
  const kept = values
    .flatMap((value) => splitOutsideQuotes(value, ','))
    .map((token) => token.trim())
    .filter((token) => token !== '' && !names.has(token.split(/[=;]/)[0]!.trim().toLowerCase()));
  return kept.length > 0 ? kept.join(', ') : undefined;
}

/** Connection faults a test can ask for with `Prefer: fault=<name>`. */
export const FAULTS = ['drop-after-commit', 'reset'] as const;
export type Fault = (typeof FAULTS)[number];

/** Longest `Prefer: latency=<ms>` accepted: ten minutes, longer than any client timeout worth testing. */
export const MAX_LATENCY_MS = 600_000;

/** What `Prefer: latency=<ms>` and `Prefer: fault=<name>` asked for. */
export interface RequestedFaults {
  /** Milliseconds on the mock clock before the request is handled; undefined for none. */
  latencyMs: number | undefined;
  fault: Fault | undefined;
}

/**
 * `Prefer: latency=<ms>` and `Prefer: fault=<name>`, checked: a value the mock does not know is
 * the caller's mistake, answered like every misuse of the mock's controls.
 */
export function readRequestedFaults(prefer: ReadonlyMap<string, string>): RequestedFaults {
  const latency = prefer.get('latency');
  const fault = prefer.get('fault');
  if (latency !== undefined && !(/^\d{1,9}$/.test(latency) && Number(latency) <= MAX_LATENCY_MS)) {
    throw controlProblem(`Prefer: latency=${latency} is not a whole number of milliseconds from 0 to ${MAX_LATENCY_MS}`);
  }
  if (fault !== undefined && !(FAULTS as readonly string[]).includes(fault)) {
    throw controlProblem(`Prefer: fault=${fault} is not a fault the mock can inject; use one of ${FAULTS.join(', ')}`);
  }
  return { latencyMs: latency === undefined ? undefined : Number(latency), fault: fault as Fault | undefined };
}

function controlProblem(message: string) {
  return problem('validation', message, { fields: { Prefer: [message] }, mockControl: true });
}
