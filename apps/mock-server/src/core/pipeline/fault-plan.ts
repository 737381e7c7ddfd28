import type { NextFunction, Request, Response } from 'express';

import { noteAnswer } from '../answer-notes.js';
import type { Clock } from '../clock.js';
import { applyFaults } from '../faults.js';
import type { FaultPlan, FaultPlans, FaultTarget } from '../fault-plans.js';
import { OUTPUT_OPERATION } from '../fault-plans.js';
import { listOperations } from '../operations.js';
import { problem } from '../problems.js';
import type { ErrorResponse } from '../problems.js';
import type { MountableApi } from '../vendor-api.js';

/** What {@link FaultPlans} checks a plan for this API against. */
export function faultTargetOf(api: MountableApi): FaultTarget {
  return {
    slug: api.slug,
    operations: listOperations(api.doc),
    ...(api.jobStatuses === undefined ? {} : { jobStatuses: api.jobStatuses }),
    ...(api.failureCodes === undefined ? {} : { failureCodes: api.failureCodes }),
    hasOutputs: (api.routes ?? []).length > 0,
  };
}

export type SendError = (req: Request, res: Response, response: ErrorResponse) => void;

/**
 * The pipeline's hook for armed fault plans: asks the plans whether this request gets a fault and
 * applies it the way the matching `Prefer` control would. Runs after authentication (a plan may
 * name a key) and after `Prefer`, so a planned job outcome wins over none.
 */
export function applyPlannedFault(
  api: MountableApi,
  plans: FaultPlans | undefined,
  clock: Clock,
  send: SendError,
  req: Request,
  res: Response,
  next: NextFunction,
): void {
  const context = req.mock;
  const operation = context?.operation?.operationId ?? OUTPUT_OPERATION;
  const plan = plans?.take({ api: api.slug, operation, key: context?.principal?.key ?? context?.callerKey, method: req.method, path: req.originalUrl });
  if (!plan) return next();
  switch (plan.fault) {
    case 'reset':
    case 'drop-after-commit':
      return applyFaults(req, res, { fault: plan.fault, latencyMs: undefined }, clock, next, `fault plan ${plan.id}: ${plan.fault}`);
    case 'latency':
      return applyFaults(req, res, { fault: undefined, latencyMs: plan.latencyMs }, clock, next);
    case 'job-outcome':
      if (context) {
        context.requestedOutcome =
          plan.outcome === 'failed'
            ? { phase: 'failed', failure: { ...(plan.code === undefined ? {} : { code: plan.code }), ...(plan.message === undefined ? {} : { message: plan.message }) } }
            : { phase: 'cancelled' };
      }
      return next();
    case 'expire-outputs':
      throw problem(api.expiredOutput?.kind ?? 'not_found', `${api.expiredOutput?.message ?? 'This output has expired; download results promptly'} (fault plan ${plan.id})`);
    case 'status':
      noteAnswer(res, { reason: `fault plan ${plan.id}: status ${plan.status}` });
      return send(req, res, statusAnswer(api, plan, clock, req));
  }
}

/** The documented error for the plan's status, with the wait it asks for in the vendor's headers. */
function statusAnswer(api: MountableApi, plan: FaultPlan, clock: Clock, req: Request): ErrorResponse {
  const operation = req.mock!.operation!;
  const status = plan.status!;
  const wait = plan.retryAfterSeconds;
  const message = plan.message ?? `Simulated by fault plan ${plan.id}${wait === undefined ? '' : `; retry in ${wait} s`}`;
  let response: ErrorResponse | undefined;
  if (status === 429) {
    const rendered = api.errors.render({ kind: 'rate_limited', message, ...(wait === undefined ? {} : { retryAfterSeconds: wait }) }, operation);
    if (rendered.status === 429) response = rendered;
  }
  response ??= api.errors.forStatus(status, message, operation) ?? { status, body: { error: message } };
  if (wait === undefined) return response;
  const headers: Record<string, string> = { ...response.headers, 'Retry-After': String(wait) };
  const policy = api.rateLimit;
  if (status === 429 && policy?.headers) {
    const principal = req.mock?.principal;
    const limit = (principal ? policy.limitOf(principal, operation) : policy.unauthenticatedLimit) ?? 1;
    Object.assign(headers, policy.headers({ limit, remaining: 0, resetAt: clock.now() + wait * 1000 }));
  }
  return { ...response, headers };
}
