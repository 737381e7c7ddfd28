import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * The mock's APIs reached without walking Express's router: a request whose path is below a mocked
 * API's `/<slug>` goes straight to that API's one layer (`mountVendorApi`), after the same set-up
 * Express's router, its `query` and `init` middleware and the layers mounted before the APIs
 * (the request events) give it. Express's router costs a few microseconds per request (a closure
 * and a params object per layer, each layer's path matched, the prototypes set again), which is a
 * large share of a GET the mock answers in about twenty.
 *
 * What Express would do after the API's layer (it calls `next`: an error after the answer began,
 * say) is left to Express itself: the request goes through the app from its start, and the
 * layers the direct path already ran let it pass ({@link resumedWith}), so the API's layer hands
 * Express the same `next(error)` it would have.
 */
export class DirectRoutes {
  readonly #bySlug = new Map<string, RequestHandler>();

  /** The layer of the API mounted at `slugPrefix` (`/<slug>`). */
  add(slugPrefix: string, layer: RequestHandler): void {
    this.#bySlug.set(slugPrefix, layer);
  }

  /**
   * The layer of the API whose `/<slug>` the request target is, or is below; undefined for any other
   * target, and for one with a query string (Express's query parser reads it).
   */
  layerOf(url: string): RequestHandler | undefined {
    if (this.#bySlug.size === 0 || url.charCodeAt(0) !== 47 || url.includes('?')) return undefined;
    const end = url.indexOf('/', 1);
    return this.#bySlug.get(end < 0 ? url : url.slice(0, end));
  }

  /**
   * Makes `app` answer its APIs' requests directly, the layers before them being `before` (each
   * calls `next` at once, synchronously). Requests for anything else, and an app mounted inside
   * another Express app, go through Express as before.
   */
  install(app: Express, before: readonly RequestHandler[]): void {
    const expressApp = app as Express & { handle(req: Request, res: Response, callback?: NextFunction): void; parent?: unknown };
    const handle = expressApp.handle;
    const parseQuery = queryParserOf(app);
    const layerOf = this.layerOf.bind(this);
    expressApp.handle = function directHandle(this: typeof expressApp, req: Request, res: Response, callback?: NextFunction): void {
      const layer = callback === undefined && this.parent === undefined && (req as Resumable)[RESUMED] === undefined ? layerOf(req.url) : undefined;
      if (layer === undefined) return handle.call(this, req, res, callback);
      counts.direct++;
      const next = (error?: unknown) => {
        // Express takes it from here, as from the API's layer: see resumedWith.
        (req as Resumable)[RESUMED] = { error };
        handle.call(this, req, res);
      };
      // Express's router...
      req.next = next;
      req.baseUrl = '';
      req.originalUrl = req.url;
      req.params = {};
      // ...its query middleware (no query string here)...
      req.query = parseQuery();
      // ...and its init middleware.
      if (this.enabled('x-powered-by')) res.setHeader('X-Powered-By', 'Express');
      req.res = res;
      res.req = req;
      if (Object.getPrototypeOf(req) !== this.request) Object.setPrototypeOf(req, this.request);
      if (Object.getPrototypeOf(res) !== this.response) Object.setPrototypeOf(res, this.response);
      res.locals = res.locals || Object.create(null);
      try {
        for (const stage of before) stage(req, res, noop);
        layer(req, res, next);
      } catch (error) {
        next(error);
      }
    } as typeof expressApp.handle;
  }
}

const counts = { direct: 0 };

/** Requests that reached an API's layer directly, for tests. */
export function directDispatchCount(): number {
  return counts.direct;
}

const RESUMED = Symbol('directDispatch.resumed');
type Resumable = Request & { [RESUMED]?: { error: unknown } };

/**
 * For a request the direct path handed back to Express: what the API's layer passed to `next`
 * (wrapped, since that may be undefined); undefined for any other request.
 */
export function resumedWith(req: Request): { error: unknown } | undefined {
  return (req as Resumable)[RESUMED];
}

function noop(): void {}

/** What Express's query middleware sets `req.query` to for a target without a query string. */
function queryParserOf(app: Express): () => Request['query'] {
  const parse = app.get('query parser fn') as ((query: null) => Request['query']) | undefined;
  // The default ('extended', qs) gives a plain empty object; `false` leaves qs's own default, the same.
  if (parse === undefined || parse.name === 'parseExtendedQueryString') return () => ({});
  return () => parse(null);
}

let fastPaths = true;

/**
 * Whether servers created from now on take the fast paths (direct dispatch here). On by default; a
 * test turns them off to build a server on the original paths and compare the two answer for answer.
 */
export function fastPathsEnabled(): boolean {
  return fastPaths;
}

/** See {@link fastPathsEnabled}; for tests. */
export function setFastPaths(on: boolean): void {
  fastPaths = on;
}
