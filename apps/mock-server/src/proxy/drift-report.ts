import { redactJson } from './redact.js';
import type { Difference, DifferenceKind } from './schema-diff.js';

/** One group of the drift report: the same difference at the same place of the same operation. */
export interface DriftEntry {
  api: string;
  /** `operationId`, or `METHOD path` for a request no operation of the spec matches. */
  operation: string;
  /** The answer's status the difference was seen on (the first time). */
  status: number;
  kind: DifferenceKind;
  /** JSON pointer in the body (array indices as `*`), `/headers/<name>`, or `` for the status. */
  pointer: string;
  message: string;
  /** How many answers showed it. */
  count: number;
  /** The value of the first answer that showed it, secrets and signed query parameters redacted. */
  example?: unknown;
  /** The spec node is marked `x-inferred`: the upstream has just confirmed or refuted an inference. */
  inferred: boolean;
  firstSeen: string;
  lastSeen: string;
}

/** A request the proxy found outside the spec (forwarded unless refusing is asked for). */
export interface InvalidRequestEntry {
  api: string;
  operation: string;
  message: string;
  count: number;
  /** Whether it was refused (true) or forwarded to the upstream (false). */
  refused: boolean;
}

/**
 * An answer the proxy changed on purpose (a job-outcome fault in front of the real vendor): never
 * counted as drift, listed so nobody mistakes it for what the vendor said.
 */
export interface InjectedEntry {
  api: string;
  operation: string;
  fault: 'job-outcome';
  /** The vendor's status word the answer was given (`error`, `failed`, `cancelled`). */
  outcome: string;
  count: number;
}

export interface DriftReportJson {
  /** Differences between what the upstreams answered and what the specs say, by operation and pointer. */
  drift: DriftEntry[];
  /** Requests that broke the spec, by operation and message. */
  invalidRequests: InvalidRequestEntry[];
  /** Answers the proxy rewrote on purpose (faults), by operation and outcome: not drift. */
  injected: InjectedEntry[];
}

/**
 * The drift a proxy saw, grouped by API, operation, kind and pointer with a count and one
 * redacted example. `onNew` hears of each group the first time it appears (the log line).
 */
export class DriftReport {
  readonly #drift = new Map<string, DriftEntry>();
  readonly #requests = new Map<string, InvalidRequestEntry>();
  readonly #injected = new Map<string, InjectedEntry>();

  constructor(private readonly onNew: (line: string) => void = () => undefined) {}

  add(api: string, operation: string, status: number, differences: readonly Difference[], now = new Date()): void {
    const at = now.toISOString();
    for (const difference of differences) {
      const key = [api, operation, difference.kind, difference.pointer].join('\u0000');
      const entry = this.#drift.get(key);
      if (entry) {
        entry.count++;
        entry.lastSeen = at;
        continue;
      }
      const created: DriftEntry = {
        api,
        operation,
        status,
        kind: difference.kind,
        pointer: difference.pointer,
        message: difference.message,
        count: 1,
        ...(difference.value === undefined ? {} : { example: redact(difference.value) }),
        inferred: difference.inferred,
        firstSeen: at,
        lastSeen: at,
      };
      this.#drift.set(key, created);
      this.onNew(`drift ${api} ${operation} ${status} ${difference.kind} ${difference.pointer || '(status)'}: ${difference.message}${difference.inferred ? ' [x-inferred]' : ''}`);
    }
  }

  addInvalidRequest(api: string, operation: string, message: string, refused: boolean): void {
    const key = [api, operation, message, refused].join('\u0000');
    const entry = this.#requests.get(key);
    if (entry) {
      entry.count++;
      return;
    }
    this.#requests.set(key, { api, operation, message, count: 1, refused });
    this.onNew(`invalid request ${api} ${operation} ${refused ? 'refused' : 'forwarded'}: ${message}`);
  }

  addInjected(api: string, operation: string, outcome: string): void {
    const key = [api, operation, outcome].join('\u0000');
    const entry = this.#injected.get(key);
    if (entry) {
      entry.count++;
      return;
    }
    this.#injected.set(key, { api, operation, fault: 'job-outcome', outcome, count: 1 });
    this.onNew(`injected ${api} ${operation}: job outcome ${outcome} (a fault, not the vendor's answer)`);
  }

  toJSON(): DriftReportJson {
    return {
      drift: [...this.#drift.values()].map((entry) => ({ ...entry })),
      invalidRequests: [...this.#requests.values()].map((entry) => ({ ...entry })),
      injected: [...this.#injected.values()].map((entry) => ({ ...entry })),
    };
  }

  get size(): number {
    return this.#drift.size;
  }

  clear(): void {
    this.#drift.clear();
    this.#requests.clear();
    this.#injected.clear();
  }
}

/**
 * A value fit to show in a report: secrets redacted as in recordings, long strings shortened,
 * large arrays trimmed.
 */
export function redact(value: unknown): unknown {
  return shorten(redactJson(value), 0);
}

function shorten(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return value.length > 120 ? `${value.slice(0, 117)}...` : value;
  if (Array.isArray(value)) return depth > 3 ? `[array of ${value.length}]` : value.slice(0, 3).map((item) => shorten(item, depth + 1));
  if (typeof value === 'object' && value !== null) {
    return depth > 3 ? '{...}' : Object.fromEntries(Object.entries(value).map(([name, child]) => [name, shorten(child, depth + 1)]));
  }
  return value;
}
