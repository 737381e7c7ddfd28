import type { Request, Response } from 'express';

import type { OperationIndex } from '../operations.js';
import { compilePathTemplate, safeDecode } from '../operations.js';
import { ProblemError } from '../problems.js';
import type { MountableApi } from '../vendor-api.js';

/** The routes the spec does not describe, below `/<slug>`. */
export interface ExtraRoutes {
  /** Answers a request on an extra route: no authentication, no spec checks, the vendor's errors. */
  handle(req: Request, res: Response, done: (error?: unknown) => void): void;
  /**
   * Whether a request below the operations' prefix belongs to an extra route instead: only when the
   * spec is served at the slug's root (its server URL has no path), for a path no operation has.
   */
  claims(req: Request): boolean;
}

/** Extra routes: result files, presigned outputs, CDN-style URLs (`VendorApi.routes`). */
export function extraRoutesStage(
  api: MountableApi,
  slugPrefix: string,
  prefix: string,
  index: OperationIndex,
  /** Runs before the route's handler (armed fault plans), calling `run` to go on. */
  before: (req: Request, res: Response, run: () => void) => void,
): ExtraRoutes {
  const routes = (api.routes ?? []).map((route) => ({ ...route, ...compilePathTemplate(route.path) }));
  const pathOf = (req: Request) => req.path.slice(slugPrefix.length) || '/';
  const sharesPrefix = prefix === slugPrefix && routes.length > 0;
  return {
    handle(req, res, done) {
      const path = pathOf(req);
      const method = req.method === 'HEAD' ? 'GET' : req.method;
      const candidates = routes.filter((route) => route.pattern.test(path));
      const route = candidates.find((candidate) => candidate.method === method);
      try {
        if (!route) {
          const allow = candidates.map((candidate) => candidate.method);
          throw new ProblemError(
            allow.length > 0
              ? { kind: 'method_not_allowed', message: `${req.method} is not allowed on ${path}; use ${allow.join(', ')}`, allow }
              : { kind: 'not_found', message: `No ${api.slug} resource at ${req.method} ${path}` },
          );
        }
        const groups = route.pattern.exec(path)!;
        req.params = Object.fromEntries(route.paramNames.map((name, i) => [name, safeDecode(groups[i + 1] ?? '')]));
        before(req, res, () => {
          try {
            const result = route.handler(req, res) as unknown;
            if (result instanceof Promise) result.catch(done);
          } catch (error) {
            done(error);
          }
        });
      } catch (error) {
        done(error);
      }
    },
    claims(req) {
      if (!sharesPrefix) return false;
      const path = pathOf(req);
      return routes.some((route) => route.pattern.test(path)) && index.match(req.method, path).allowed.length === 0;
    },
  };
}
