import { Router } from 'express';

import { inferenceReport } from '@imagegen/spec/inferences.mjs';
import type { InferenceReport } from '@imagegen/spec/inferences.mjs';

import type { OpenApiDocument } from './spec-document.js';

/** Where {@link inferenceRoutes} is meant to be mounted: no vendor's base path starts with `/_mock`. */
export const INFERENCE_ROUTES_PATH = '/_mock/inferences';

/**
 * The inference report of every mounted API over HTTP: each node its spec marks `x-inferred`, where
 * it is and why, i.e. what the mock does that the vendor's page only implies and a user should
 * confirm against the real service.
 * - `GET /` answers `{ apis: { <slug>: { title, version, count, inferences: [{ pointer, where, reason }] } } }`.
 * - `GET /<slug>` answers one API's report, or 404 naming the mounted ones.
 * Reports are built on first request, so start-up does not walk the specs.
 */
export function inferenceRoutes(apis: ReadonlyArray<{ slug: string; doc: OpenApiDocument }>): Router {
  const reports = new Map<string, InferenceReport>();
  const reportOf = (api: { slug: string; doc: OpenApiDocument }) => {
    let report = reports.get(api.slug);
    if (!report) reports.set(api.slug, (report = inferenceReport(api.doc)));
    return report;
  };
  const router = Router();
  router.get('/', (_req, res) => {
    res.json({ apis: Object.fromEntries(apis.map((api) => [api.slug, reportOf(api)])) });
  });
  router.get('/:slug', (req, res) => {
    const api = apis.find((candidate) => candidate.slug === req.params.slug);
    if (!api) {
      res.status(404).json({ error: `no API ${JSON.stringify(req.params.slug)} is mounted; mounted: ${apis.map((candidate) => candidate.slug).join(', ')}` });
      return;
    }
    res.json(reportOf(api));
  });
  return router;
}
