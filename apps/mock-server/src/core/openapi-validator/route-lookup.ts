import type { NextFunction, Request, RequestHandler, Response } from 'express';

import { validatorRequire } from './version.js';

/** The parts of express-openapi-validator's `OpenApiContext` its route metadata stage reads. */
interface OpenApiContext {
  apiDoc: { paths: Record<string, Record<string, unknown> | undefined> };
  expressRouteMap: Record<string, { basePath: string }>;
  routePair(expressRoute: string): { openApiRoute: string } | null;
  ignorePaths?: unknown;
  useRequestUrl?: boolean;
  serial: number;
}
type ResponseDoc = { paths: Record<string, Record<string, unknown> | undefined> } | null | undefined;
type ApplyMetadata = ((context: OpenApiContext, responseApiDoc: ResponseDoc) => RequestHandler) & { precomputed?: true; original?: ApplyMetadata };
type Pattern = { regexp: RegExp; keys: Array<{ name: string | number }> };
type PathToRegexp = (path: string, options: { sensitive: boolean; strict: boolean }) => Pattern;

interface Route {
  expressRoute: string;
  openApiRoute: string;
  /** The path item of the request and response documents (their operations are read per request, as the validator does). */
  pathItem: Record<string, unknown> | undefined;
  responsePathItem: Record<string, unknown> | undefined;
  /** Its pattern per routing setting (`strict * 2 + sensitive`), compiled on first use. */
  patterns: Array<Pattern | undefined>;
}

const counts = { fast: 0, delegated: 0 };

/** Requests the patched stage matched itself, and those it left to the original, for tests. */
export function routeLookupCounts(): { fast: number; delegated: number } {
  return { ...counts };
}

/**
 * express-openapi-validator's first stage finds the request's route by walking every route of the
 * spec on every request, and for each one builds the route's key, lower-cases the method twice,
 * reads two app settings and asks path-to-regexp for its pattern (memoized, see route-cache.ts):
 * a few percent of the mock's CPU per request. The copy of its module the validator loads gets an
 * `applyOpenApiMetadata` that does that per-route work once per spec, then per request walks the
 * same routes in the same order with the same patterns and sets the same `req.openapi` and
 * `req.params`. Whatever it does not handle the same way itself (no route or no operation for the
 * method, an undecodable parameter, `ignorePaths`) it hands to the original middleware, which
 * answers or throws as before. The validator reads the export at call time, so nothing else changes.
 */
export function precomputeValidatorRouteLookup(): void {
  const metadataModule = validatorRequire('./middlewares/openapi.metadata.js') as { applyOpenApiMetadata: ApplyMetadata };
  const original = metadataModule.applyOpenApiMetadata;
  if (original.precomputed) return;
  const pathToRegexpModule = validatorRequire('path-to-regexp') as { pathToRegexp: PathToRegexp };
  const patched: ApplyMetadata = (context, responseApiDoc) => {
    const fallback = original(context, responseApiDoc);
    if (context.ignorePaths !== undefined && context.ignorePaths !== null) return fallback;
    let routes: Route[] | undefined;
    const routesOf = (): Route[] =>
      Object.entries(context.expressRouteMap).map(([expressRoute, methods]) => {
        const { openApiRoute } = context.routePair(expressRoute)!;
        const pathKey = openApiRoute.substring(methods.basePath.length);
        return { expressRoute, openApiRoute, pathItem: context.apiDoc.paths[pathKey], responsePathItem: responseApiDoc?.paths[pathKey], patterns: [] };
      });
    return function applyOpenApiMetadataPrecomputed(req: Request, res: Response, next: NextFunction) {
      routes ??= routesOf();
      const url = context.useRequestUrl ? req.url : req.originalUrl;
      const query = url.indexOf('?');
      const path = query < 0 ? url : url.slice(0, query);
      const method = req.method.toLowerCase();
      // What `app.enabled()` reads (own settings, then a parent app's through the prototype), without its walk.
      const settings = req.app.settings as Record<string, unknown>;
      const setting = (settings['strict routing'] ? 2 : 0) + (settings['case sensitive routing'] ? 1 : 0);
      for (const route of routes) {
        let pattern = route.patterns[setting];
        if (pattern === undefined) {
          pattern = pathToRegexpModule.pathToRegexp(route.expressRoute, { sensitive: (setting & 1) === 1, strict: setting >= 2 });
          route.patterns[setting] = pattern;
        }
        const matched = pattern.regexp.exec(path);
        if (!matched) continue;
        const schema = route.pathItem?.[method];
        if (!schema) break;
        const pathParams: Record<string | number, string> = {};
        try {
          for (let i = 0; i < pattern.keys.length; i++) pathParams[pattern.keys[i]!.name] = decodeURIComponent(matched[i + 1]!);
        } catch {
          break;
        }
        counts.fast++;
        const openapi: Record<string, unknown> = { expressRoute: route.expressRoute, openApiRoute: route.openApiRoute, pathParams, schema, serial: context.serial };
        if (responseApiDoc) openapi._responseSchema = route.responsePathItem?.[method];
        (req as { openapi?: unknown }).openapi = openapi;
        req.params = pathParams as Request['params'];
        return next();
      }
      counts.delegated++;
      return fallback(req, res, next);
    };
  };
  patched.precomputed = true;
  patched.original = original;
  metadataModule.applyOpenApiMetadata = patched;
}
