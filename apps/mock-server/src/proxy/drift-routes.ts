import { Router } from 'express';

import type { DriftReport } from './drift-report.js';

/** Where {@link driftRoutes} is meant to be mounted: no vendor's base path starts with `/_mock`. */
export const DRIFT_ROUTES_PATH = '/_mock/drift';

/**
 * The proxy's drift report over HTTP: `GET /` answers `{ drift: [...], invalidRequests: [...] }`
 * (empty when no API is proxied or nothing differed); `DELETE /` forgets it (204).
 */
export function driftRoutes(report: DriftReport): Router {
  const router = Router();
  router.get('/', (_req, res) => {
    res.json(report.toJSON());
  });
  router.delete('/', (_req, res) => {
    report.clear();
    res.status(204).end();
  });
  return router;
}
