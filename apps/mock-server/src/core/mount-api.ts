import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';

import type { Clock } from './clock.js';
import { SystemClock } from './clock.js';
import { noteAnswer } from './answer-notes.js';
import { compose } from './compose.js';
import type { DirectRoutes } from './direct-dispatch.js';
import { resumedWith } from './direct-dispatch.js';
import { applyFaults } from './faults.js';
import { OperationIndex, listOperations } from './operations.js';
import { authenticateStage } from './pipeline/authenticate.js';
import { bodyStage } from './pipeline/body.js';
import { errorAnswer } from './pipeline/error-answer.js';
import type { ErrorAnswerOptions } from './pipeline/error-answer.js';
import { extraRoutesStage } from './pipeline/extra-routes.js';
import { applyPlannedFault } from './pipeline/fault-plan.js';
import type { FaultPlans } from './fault-plans.js';
import { preferStage, trackedPreferences } from './pipeline/prefer.js';
import { requestCounter } from './pipeline/rate-limit.js';
import { isBelow, malformedPathStage, routeStage } from './pipeline/route.js';
import { validateStage } from './pipeline/validate.js';
import { readRequestedFaults } from './prefer-header.js';
import type { RateLimiter } from './rate-limiter.js';
import { basePathOf } from './spec-document.js';
import type { MountableApi, RequestContext } from './vendor-api.js';

export type { ResponseViolation } from './pipeline/error-answer.js';

// A request without a Prefer header or files shares these (RequestContext types both read-only; a
// multipart body's parser puts a new list in the context), instead of a new Map and array each.
const NO_PREFERENCES: RequestContext['prefer'] = new Map();
const NO_UPLOADS: RequestContext['uploads'] = Object.freeze([]);

export interface PipelineOptions extends ErrorAnswerOptions {
  rateLimiter: RateLimiter;
  /** Largest request body accepted; larger ones get the vendor's validation error. */
  bodyLimit: string;
  /** The clock `Prefer: latency=<ms>` waits on. Default: a `SystemClock`. */
  clock?: Clock;
  /** Faults armed from outside (`/_mock/faults`, `mock.faults`). Default: none. */
  faultPlans?: FaultPlans;
  /** Ends the message of a 401 for a missing or unknown key (the keys the mock accepts). Default: none. */
  authHint?: string;
  /** Where the API's layer is registered to be reached without Express's router. Default: nowhere. */
  directRoutes?: DirectRoutes;
}

/**
 * Mounts one vendor API as a single Express layer: its spec's operations at `/<slug><basePath>`,
 * its extra routes (result files, presigned outputs) below `/<slug>`. Returns the operations'
 * prefix. Every failure below `/<slug>` is rendered in the vendor's own format. The stages live in
 * `core/pipeline/`, one file each; this only puts them in order.
 */
export function mountVendorApi(app: Express, api: MountableApi, options: PipelineOptions): string {
  const slugPrefix = `/${api.slug}`;
  const prefix = `${slugPrefix}${basePathOf(api.doc)}`;
  const operations = listOperations(api.doc);
  const missing = operations.filter((operation) => !api.handlers[operation.operationId]);
  if (missing.length > 0) {
    throw new Error(`${api.slug}: no handler for ${missing.map((o) => `${o.operationId} (${o.method} ${o.path})`).join(', ')}`);
  }
  const index = new OperationIndex(operations);
  const counting = requestCounter(api, options.rateLimiter, operations);
  const answer = errorAnswer(api, options, counting.countAnswer);
  const clock = options.clock ?? new SystemClock();
  /** A fault armed from outside, applied where the matching `Prefer` control would be. */
  const plannedFault = (req: Request, res: Response, next: () => void) => applyPlannedFault(api, options.faultPlans, clock, answer.send, req, res, next);
  const dispatch: RequestHandler = (req, res) => api.handlers[req.mock!.operation!.operationId]!(req, res);

  // Order of checks, as real services do it: route -> authentication (with the rate limit) ->
  // Prefer -> body parsing -> schema validation -> the vendor's handler.
  const pipeline = compose([
    routeStage(api.slug, prefix, index),
    authenticateStage(api.keys, counting.count, options.authHint),
    malformedPathStage,
    preferStage(api, answer),
    plannedFault,
    bodyStage(api.doc, options.bodyLimit),
    validateStage(api, prefix, options.validateResponses),
    dispatch,
  ]);
  const extraRoutes = extraRoutesStage(api, slugPrefix, prefix, index, plannedFault);
  const apiNote = { api: api.slug };
  const finish = (req: Request, res: Response, next: NextFunction) => (error?: unknown) =>
    error === undefined ? next() : answer.fail(error, req, res, next);

  // Matched by hand rather than app.use(prefix, ...): Express would rewrite req.url and walk its
  // parameter machinery on every request, a measurable share of the mock's time under load.
  const vendorApi: RequestHandler = (req, res, next) => {
    const url = req.url;
    if (!isBelow(url, slugPrefix)) return next();
    // Already answered here, reached directly: Express goes on as it would have from this layer.
    const resumed = resumedWith(req);
    if (resumed !== undefined) return next(resumed.error);
    noteAnswer(res, apiNote);
    const context: RequestContext = { operation: undefined, principal: undefined, prefer: req.headers.prefer === undefined ? NO_PREFERENCES : trackedPreferences(req, res), requestedOutcome: undefined, uploads: NO_UPLOADS, rateCounted: false };
    req.mock = context;
    let faults;
    try {
      faults = readRequestedFaults(context.prefer);
    } catch (error) {
      return answer.fail(error, req, res, next);
    }
    const route = () => {
      if (isBelow(url, prefix) && !extraRoutes.claims(req)) pipeline(req, res, finish(req, res, next));
      else extraRoutes.handle(req, res, finish(req, res, next));
    };
    if (faults.fault === undefined && !faults.latencyMs) route();
    else applyFaults(req, res, faults, clock, route);
  };
  app.use(vendorApi);
  options.directRoutes?.add(slugPrefix, vendorApi);
  return prefix;
}
