import { createHash } from 'node:crypto';

import type { Clock } from './clock.js';
import type { JobPhase } from './job-store.js';
import { MAX_LATENCY_MS } from './prefer-header.js';

/**
 * Faults a test arms on the mock from outside, so a client that cannot send `Prefer` (a vendor's
 * curl example, a client in another language) still meets them:
 * - `reset`: the connection is destroyed before anything happens.
 * - `drop-after-commit`: the request takes effect (a job is created and billed), then the connection
 *   is destroyed without an answer.
 * - `status`: the operation's documented error for `status` is answered before any work is done;
 *   `retryAfterSeconds` sets `Retry-After` (and the vendor's rate-limit headers, where it has them).
 * - `latency`: the request waits `latencyMs` on the mock clock first.
 * - `job-outcome`: the job the request creates ends `failed` (with `code` and `message`) or `cancelled`.
 * - `expire-outputs`: an output URL (a result file, a presigned output) answers as expired.
 */
export const PLANNED_FAULTS = ['reset', 'drop-after-commit', 'status', 'latency', 'job-outcome', 'expire-outputs'] as const;
export type PlannedFaultKind = (typeof PLANNED_FAULTS)[number];

/** The `operation` of a plan that matches every output route (result files, presigned outputs, image URLs). */
export const OUTPUT_OPERATION = 'output';
/** The `operation` of a plan that matches every request to its API. */
export const ANY_OPERATION = '*';

/** What a test asks for: where the fault applies, which one, and how often. */
export interface FaultPlanInput {
  /** The API's slug (`lumixai`). */
  api: string;
  /** The spec's `operationId`, `output` for the API's output URLs, or `*` for any request. */
  operation: string;
  /**
   * Only requests made with this API key (or `sha256:<hex>` of it, so a config or a log need not
   * hold a real vendor's key). Default: any key (and requests without one).
   */
  key?: string;
  fault: PlannedFaultKind;
  /** For `status`: a status code the operation documents (`429`, `503`). */
  status?: number;
  /** For `status`: the wait the answer asks for, in seconds (Retry-After, rate-limit reset). Default: none (the vendor's usual headers). */
  retryAfterSeconds?: number;
  /** For `latency`: milliseconds on the mock clock, 0-600000. */
  latencyMs?: number;
  /** For `job-outcome`: how the created job ends. */
  outcome?: 'failed' | 'cancelled';
  /** For `job-outcome` `failed`: the vendor's failure code (where it has codes). Default: the vendor's usual one. */
  code?: string;
  /** For `job-outcome` `failed`: the failure message; for `status`: the error's message. Default: the vendor's usual one. */
  message?: string;
  /** The first matching request the fault applies to, counting from 1. Default: 1. */
  nth?: number;
  /** How many matching requests, from the `nth` on, get the fault before the plan disarms. Default: 1. */
  times?: number;
}

/** An armed plan, as listed. */
export interface FaultPlan extends FaultPlanInput {
  id: string;
  nth: number;
  times: number;
  /** Matching requests seen so far. */
  matched: number;
  /** Times the fault was applied so far. */
  fired: number;
  /** When it was armed, on the mock clock (epoch ms). */
  armedAt: number;
}

/** One application of a plan's fault to a request. */
export interface FiredFault {
  planId: string;
  api: string;
  operation: string;
  fault: PlannedFaultKind;
  method: string;
  path: string;
  /** The key the request carried, when it had a valid one. */
  key?: string;
  /** On the mock clock (epoch ms). */
  at: number;
}

/** What a plan is checked against when it is armed: one API's operations and job vocabulary. */
export interface FaultTarget {
  slug: string;
  operations: ReadonlyArray<{ operationId: string; statuses: readonly string[] }>;
  /** The API's words for its job phases; an API without jobs takes no `job-outcome`. */
  jobStatuses?: Partial<Record<JobPhase, string>>;
  /** The failure codes the API documents; undefined to accept any. */
  failureCodes?: readonly string[];
  /** Whether the API has output routes (`operation: output`). */
  hasOutputs: boolean;
  /**
   * Whether its keys are real secrets (a proxied vendor's): shown masked in `list()` and
   * `fired()`, which `/_mock/faults` serves. Default: false (the mock's own dev keys are shown).
   */
  secretKeys?: boolean;
}

/** A plan that cannot be armed; `message` names the field and what is accepted. */
export class FaultPlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FaultPlanError';
  }
}

/** Requests a plan can match: `operation` is the operationId, or `output` for an output route. */
export interface FaultRequest {
  api: string;
  operation: string;
  key: string | undefined;
  method: string;
  path: string;
}

const MAX_COUNT = 1_000_000;

/**
 * The armed fault plans of one mock server and every fault they fired. Vendor-neutral: the
 * request pipeline asks {@link take} once per request and applies what it gets.
 */
export class FaultPlans {
  #plans: FaultPlan[] = [];
  #fired: FiredFault[] = [];
  #nextId = 1;
  /**
   * @param targets the mounted APIs, read when a plan is armed (the server adds each API as it
   *   mounts it).
   */
  constructor(
    private readonly clock: Clock,
    private readonly targets: readonly FaultTarget[],
  ) {}

  /** Checks and arms a plan; throws a {@link FaultPlanError} naming what is wrong. */
  arm(input: FaultPlanInput): FaultPlan {
    const plan = this.#check(input);
    this.#plans.push(plan);
    return { ...plan };
  }

  /** Armed plans, in the order they were armed (a plan that fired its last time is gone). */
  list(): FaultPlan[] {
    return this.#plans.map((plan) => (plan.key !== undefined && this.#secret(plan.api) ? { ...plan, key: maskKey(plan.key) } : { ...plan }));
  }

  /** Every fault applied since start or the last `reset()`, oldest first. */
  fired(): FiredFault[] {
    return this.#fired.map((fired) => ({ ...fired }));
  }

  /** Disarms one plan (true if it was armed), or every plan when no id is given. */
  clear(id?: string): boolean {
    if (id === undefined) {
      const had = this.#plans.length > 0;
      this.#plans = [];
      return had;
    }
    const before = this.#plans.length;
    this.#plans = this.#plans.filter((plan) => plan.id !== id);
    return this.#plans.length !== before;
  }

  /** Disarms every plan and forgets the faults fired. */
  reset(): void {
    this.#plans = [];
    this.#fired = [];
  }

  /**
   * Counts the request against every plan it matches and returns the plan whose fault applies to
   * it (the earliest armed that is due), or undefined. A plan that fired its last time disarms.
   */
  take(request: FaultRequest): FaultPlan | undefined {
    if (this.#plans.length === 0) return undefined;
    let due: FaultPlan | undefined;
    for (const plan of this.#plans) {
      if (!matches(plan, request)) continue;
      plan.matched += 1;
      if (!due && plan.matched >= plan.nth && plan.fired < plan.times) due = plan;
    }
    if (!due) return undefined;
    due.fired += 1;
    if (due.fired >= due.times) this.#plans = this.#plans.filter((plan) => plan !== due);
    this.#fired.push({
      planId: due.id,
      api: request.api,
      operation: request.operation,
      fault: due.fault,
      method: request.method,
      path: request.path,
      ...(request.key === undefined ? {} : { key: this.#secret(request.api) ? maskKey(request.key) : request.key }),
      at: this.clock.now(),
    });
    return { ...due };
  }

  #secret(api: string): boolean {
    return this.targets.some((target) => target.slug === api && target.secretKeys === true);
  }

  #check(input: FaultPlanInput): FaultPlan {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new FaultPlanError('a fault plan is an object');
    const known = new Set(['api', 'operation', 'key', 'fault', 'status', 'retryAfterSeconds', 'latencyMs', 'outcome', 'code', 'message', 'nth', 'times']);
    const unknown = Object.keys(input).filter((name) => !known.has(name));
    if (unknown.length > 0) throw new FaultPlanError(`unknown field ${unknown.join(', ')}; a plan takes ${[...known].join(', ')}`);
    const target = this.targets.find((candidate) => candidate.slug === input.api);
    if (!target) throw new FaultPlanError(`api: ${JSON.stringify(input.api)} is not a mounted API; use one of ${this.targets.map((candidate) => candidate.slug).join(', ')}`);
    if (!(PLANNED_FAULTS as readonly unknown[]).includes(input.fault)) {
      throw new FaultPlanError(`fault: ${JSON.stringify(input.fault)} is not a fault the mock can inject; use one of ${PLANNED_FAULTS.join(', ')}`);
    }
    const operationIds = target.operations.map((operation) => operation.operationId);
    const operations = [...operationIds, ...(target.hasOutputs ? [OUTPUT_OPERATION] : []), ANY_OPERATION];
    if (typeof input.operation !== 'string' || !operations.includes(input.operation)) {
      throw new FaultPlanError(`operation: ${JSON.stringify(input.operation)} is not an operation of ${target.slug}; use one of ${operations.join(', ')}`);
    }
    if (input.key !== undefined && (typeof input.key !== 'string' || input.key === '')) throw new FaultPlanError('key: must be a non-empty string');
    const count = (name: 'nth' | 'times') => {
      const value = input[name];
      if (value === undefined) return 1;
      if (!Number.isInteger(value) || value < 1 || value > MAX_COUNT) throw new FaultPlanError(`${name}: must be a whole number from 1 to ${MAX_COUNT}, got ${JSON.stringify(value)}`);
      return value;
    };
    const only = (allowed: ReadonlyArray<keyof FaultPlanInput>) => {
      const extra = (['status', 'retryAfterSeconds', 'latencyMs', 'outcome', 'code', 'message'] as const).filter(
        (name) => input[name] !== undefined && !allowed.includes(name),
      );
      if (extra.length > 0) throw new FaultPlanError(`${extra.join(', ')} do not go with fault ${input.fault}`);
    };
    if (input.message !== undefined && (typeof input.message !== 'string' || input.message.length > 1000)) throw new FaultPlanError('message: must be a string of at most 1000 characters');
    switch (input.fault) {
      case 'status': {
        only(['status', 'retryAfterSeconds', 'message']);
        const documented = input.operation === ANY_OPERATION || input.operation === OUTPUT_OPERATION
          ? undefined
          : target.operations.find((operation) => operation.operationId === input.operation)!.statuses.filter((status) => /^[45]\d\d$/.test(status));
        if (documented === undefined) throw new FaultPlanError(`status faults need one operation (its documented statuses decide the answer), not ${input.operation}`);
        if (!Number.isInteger(input.status) || !documented.includes(String(input.status))) {
          throw new FaultPlanError(`status: ${JSON.stringify(input.status)} is not a documented error of ${target.slug} ${input.operation}; documented: ${documented.join(', ') || 'none'}`);
        }
        if (input.retryAfterSeconds !== undefined && !(Number.isInteger(input.retryAfterSeconds) && input.retryAfterSeconds >= 0 && input.retryAfterSeconds <= 86_400)) {
          throw new FaultPlanError(`retryAfterSeconds: must be a whole number of seconds from 0 to 86400, got ${JSON.stringify(input.retryAfterSeconds)}`);
        }
        break;
      }
      case 'latency':
        only(['latencyMs']);
        if (!(Number.isInteger(input.latencyMs) && input.latencyMs! >= 0 && input.latencyMs! <= MAX_LATENCY_MS)) {
          throw new FaultPlanError(`latencyMs: must be a whole number of milliseconds from 0 to ${MAX_LATENCY_MS}, got ${JSON.stringify(input.latencyMs)}`);
        }
        break;
      case 'job-outcome': {
        only(['outcome', 'code', 'message']);
        const statuses = target.jobStatuses ?? {};
        const offered = (['failed', 'cancelled'] as const).filter((phase) => statuses[phase] !== undefined);
        if (!offered.includes(input.outcome as 'failed')) {
          throw new FaultPlanError(
            offered.length === 0 ? `${target.slug} has no jobs` : `outcome: ${JSON.stringify(input.outcome)} is not a job outcome of ${target.slug}; use one of ${offered.join(', ')}`,
          );
        }
        if (input.outcome !== 'failed' && (input.code !== undefined || input.message !== undefined)) throw new FaultPlanError('code and message go with outcome failed');
        if (input.code !== undefined && target.failureCodes && !target.failureCodes.includes(input.code)) {
          throw new FaultPlanError(
            target.failureCodes.length === 0
              ? `code: ${target.slug}'s failed jobs carry no code (message sets the message)`
              : `code: ${JSON.stringify(input.code)} is not a failure code of ${target.slug}; use one of ${target.failureCodes.join(', ')}`,
          );
        }
        break;
      }
      case 'expire-outputs':
        only([]);
        if (input.operation === ANY_OPERATION) throw new FaultPlanError(`expire-outputs needs operation ${OUTPUT_OPERATION} or a download operation, not *`);
        break;
      default:
        only([]);
    }
    return {
      ...structuredClone(input),
      id: `fp_${this.#nextId++}`,
      nth: count('nth'),
      times: count('times'),
      matched: 0,
      fired: 0,
      armedAt: this.clock.now(),
    };
  }
}

function matches(plan: FaultPlan, request: FaultRequest): boolean {
  if (plan.api !== request.api) return false;
  if (plan.operation !== ANY_OPERATION && plan.operation !== request.operation) return false;
  if (plan.key === undefined || plan.key === request.key) return true;
  return request.key !== undefined && plan.key.startsWith(DIGEST_PREFIX) && plan.key.slice(DIGEST_PREFIX.length).toLowerCase() === keyDigest(request.key);
}

const DIGEST_PREFIX = 'sha256:';

function keyDigest(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Whether `key` is already in {@link maskKey}'s form (so masking it again would garble it). */
export function isMaskedKey(key: string): boolean {
  return MASKED_KEY.test(key);
}
const MASKED_KEY = /^…(?:\S{4})? sha256:[0-9a-f]{12}$/;

/**
 * A secret key as a report may show it: its last four characters (none of a short key) and the
 * start of its SHA-256, enough to tell keys apart, never to use one. A digest, or a key already
 * masked, stays as given.
 */
export function maskKey(key: string): string {
  if (key.startsWith(DIGEST_PREFIX) || isMaskedKey(key)) return key;
  const tail = key.length >= 16 ? key.slice(-4) : '';
  return `…${tail} ${DIGEST_PREFIX}${keyDigest(key).slice(0, 12)}`;
}
