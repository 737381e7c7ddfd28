import express, { Router } from 'express';

import { FaultPlanError } from './fault-plans.js';
import type { FaultPlanInput, FaultPlans } from './fault-plans.js';

/** Where {@link faultPlanRoutes} is meant to be mounted: no vendor's base path starts with `/_mock`. */
export const FAULT_PLAN_ROUTES_PATH = '/_mock/faults';

/**
 * Fault plans over HTTP, for a test that drives a black-box client (any language, a curl script):
 * - `POST /` arms one plan (a JSON object) or several (an array, all or none): 201 `{ plans: [...] }`.
 * - `GET /` lists the armed plans and every fault fired: `{ plans: [...], fired: [...] }`.
 * - `DELETE /` disarms every plan; `DELETE /:id` one (404 if it is not armed).
 * Errors are `{ error: message }` with status 400, naming the field.
 */
export function faultPlanRoutes(plans: FaultPlans): Router {
  const router = Router();
  router.get('/', (_req, res) => {
    res.json({ plans: plans.list(), fired: plans.fired() });
  });
  router.post('/', express.json({ limit: '1mb' }), (req, res) => {
    const body = req.body as unknown;
    if (!req.is('application/json')) {
      res.status(400).json({ error: 'send the plan as JSON (Content-Type: application/json)' });
      return;
    }
    const inputs = (Array.isArray(body) ? body : [body]) as FaultPlanInput[];
    const armed = [];
    try {
      // Checked together first so a bad plan in a list arms none of them.
      for (const [index, input] of inputs.entries()) {
        try {
          armed.push(plans.arm(input));
        } catch (error) {
          if (error instanceof FaultPlanError && inputs.length > 1) throw new FaultPlanError(`plan ${index}: ${error.message}`);
          throw error;
        }
      }
    } catch (error) {
      for (const plan of armed) plans.clear(plan.id);
      if (!(error instanceof FaultPlanError)) throw error;
      res.status(400).json({ error: error.message });
      return;
    }
    res.status(201).json({ plans: armed });
  });
  router.delete('/', (_req, res) => {
    plans.clear();
    res.status(204).end();
  });
  router.delete('/:id', (req, res) => {
    if (plans.clear(req.params.id)) res.status(204).end();
    else res.status(404).json({ error: `no armed fault plan ${JSON.stringify(req.params.id)} (unknown, or it fired its last time)` });
  });
  router.use(((error, _req, res, next) => {
    // A body that is not JSON: the parser's own message, as a 400 like every misuse.
    if (res.headersSent) return next(error);
    res.status(400).json({ error: `the body is not valid JSON: ${(error as Error).message}` });
  }) as express.ErrorRequestHandler);
  return router;
}
