import type { ErrorRequestHandler, Express, NextFunction, Request, RequestHandler, Response } from 'express';

import { describeSchemes, readCredential } from './api-keys.js';
import type { Clock } from './clock.js';
import { SystemClock } from './clock.js';
import { applyFaults } from './faults.js';
import { applyPlannedFault } from './fault-plan-stage.js';
import type { FaultPlans } from './fault-plans.js';
import { OperationIndex, compilePathTemplate, listOperations, safeDecode } from './operations.js';
import { parsePrefer, readRequestedFaults, readRequestedOutcome } from './prefer-header.js';
import { ProblemError, problem } from './problems.js';
import type { ErrorResponse } from './problems.js';
import type { RateLimiter } from './rate-limiter.js';
import { basePathOf } from './spec-document.js';
import { compose } from './compose.js';
import { ErrorResponseCheck } from './error-response-check.js';
import { bodyParsers, coerceForms, onlyWithBody } from './request-body.js';
import { malformedParameter, responseViolation, toProblem, wasAborted } from './request-problems.js';
import { specValidator } from './spec-validator.js';
import type { MountableApi, RequestContext } from './vendor-api.js';
import type { Principal } from './api-keys.js';

/** A response (or, with `status` 0, a webhook payload to `path`) that broke the spec: a bug in the mock, never in the client. */
export interface ResponseViolation {
  api: string;
  method: string;
  path: string;
  status: number;
  message: string;
}

export interface PipelineOptions {
  rateLimiter: RateLimiter;
  /** Largest request body accepted; larger ones get the vendor's validation error. */
  bodyLimit: string;
  /** Validate responses against the spec (violations are recorded and answered as 500). */
  validateResponses: boolean;
  onViolation: (violation: ResponseViolation) => void;
  /** Told about errors the mock did not expect (answered as the vendor's internal error). */
  onInternalError: (error: unknown, req: Request) => void;
  /** The clock `Prefer: latency=<ms>` waits on. Default: a `SystemClock`. */
  clock?: Clock;
  /** Faults armed from outside (`/_mock/faults`, `mock.faults`). Default: none. */
  faultPlans?: FaultPlans;
}

/**
 * Mounts one vendor API as a single Express layer: its spec's operations at `/<slug><basePath>`,
 * its extra routes (result files, presigned outputs) below `/<slug>`. Returns the operations'
 * prefix. Every failure below `/<slug>` is rendered in the vendor's own format.
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
  const errorBodies = options.validateResponses ? new ErrorResponseCheck(api.doc) : undefined;

  /** Answers 500 with what broke the spec, and records it: a bug in the mock, never in the client. */
  const reportViolation = (req: Request, res: Response, status: number, message: string) => {
    const record = { api: api.slug, method: req.method, path: req.originalUrl, status, message };
    options.onViolation(record);
    // Plain send: res.json would be validated again and loop.
    res.status(500).type('application/json').send(JSON.stringify({ mockServerBug: 'response violates the spec', ...record }));
  };

  // Error answers are checked here rather than by express-openapi-validator: most are sent before
  // its response hook is installed (auth, rate limits, Prefer, invalid requests) and it skips 5xx.
  const send = (req: Request, res: Response, response: ErrorResponse, checked = true) => {
    const operation = checked ? req.mock?.operation : undefined;
    const violation = operation && errorBodies?.violation(operation, response.status, response.body);
    if (violation) return reportViolation(req, res, response.status, violation);
    if (response.headers) res.set(response.headers);
    res.status(response.status).json(response.body);
  };

  /**
   * Counts one request against the API's window: a key's own bucket, or, for a request without a
   * valid key, one bucket per client address (when the API counts those). Sets the API's headers
   * and refuses the request past the limit.
   */
  const countRequest = (req: Request, res: Response, principal: Principal | undefined) => {
    const policy = api.rateLimit;
    if (!policy) return;
    const limit = principal ? policy.limitOf(principal, req.mock!.operation!) : policy.unauthenticatedLimit;
    // A key without a limit is counted only so the API's headers can describe it.
    if (limit === undefined && (!principal || !policy.headers)) return;
    // The socket's address, never X-Forwarded-For: a client could pick its own bucket.
    const bucket = principal ? `${api.slug}\u0000${principal.key}` : `${api.slug}\u0001${req.socket.remoteAddress ?? ''}`;
    const decision = options.rateLimiter.take(bucket, limit ?? Number.MAX_SAFE_INTEGER, policy.windowMs);
    if (policy.headers) res.set(policy.headers(decision));
    if (!decision.allowed) {
      const who = principal ? '' : ' for requests without a valid API key from this address';
      throw problem('rate_limited', `Rate limit of ${decision.limit} requests per ${describeWindow(policy.windowMs)}${who} exceeded; retry in ${decision.retryAfterSeconds} s`, {
        retryAfterSeconds: decision.retryAfterSeconds,
      });
    }
  };

  const authenticate: RequestHandler = (req, res, next) => {
    const path = req.path.slice(prefix.length) || '/';
    let { operation, pathParams, allowed, undecodable } = index.match(req.method, path);
    if (!operation && req.method === 'HEAD') {
      // HEAD is GET without the body (RFC 9110 9.3.2). Node already leaves the body out of a HEAD
      // answer, so the request goes on as a GET: validated, authenticated and answered like one.
      ({ operation, pathParams, allowed, undecodable } = index.match('GET', path));
      if (operation) req.method = 'GET';
    }
    if (!operation) {
      const kind = allowed.length > 0 ? 'method_not_allowed' : 'not_found';
      const message =
        allowed.length > 0
          ? `${req.method} is not allowed on ${path}; use ${allowed.join(', ')}`
          : `No ${api.slug} endpoint at ${req.method} ${path}`;
      throw new ProblemError({ kind, message, allow: allowed });
    }

    // Set before authentication, so even a 401 is checked against this operation's responses.
    const context = req.mock!;
    context.operation = operation;
    req.params = pathParams;
    if (operation.security.length > 0) {
      const credential = readCredential(req.headers, operation.security);
      const principal = credential === undefined ? undefined : api.keys.lookup(credential);
      const authenticated = principal !== undefined && !principal.revoked;
      // Counted before the key is refused, so a 401 carries the vendor's rate-limit headers too.
      countRequest(req, res, authenticated ? principal : undefined);
      if (!authenticated) {
        const reason = credential === undefined ? 'missing' : principal?.revoked ? 'revoked' : 'invalid';
        const messages = {
          missing: `Missing API key: send it in the ${describeSchemes(operation.security)}`,
          revoked: 'This API key has been revoked',
          invalid: 'Invalid API key',
        } as const;
        throw problem('authentication', messages[reason], { credential: reason });
      }
      context.principal = principal;
    }
    if (undecodable !== undefined) throw malformedParameter(operation, undecodable, pathParams[undecodable] ?? '');
    next();
  };

  const dispatch: RequestHandler = (req, res) => api.handlers[req.mock!.operation!.operationId]!(req, res);

  const errorHandler: ErrorRequestHandler = (error: unknown, req: Request, res: Response, next: NextFunction) => {
    // Nobody is left to answer: the request log records the request as aborted.
    if (wasAborted(error, req)) return;
    if (res.headersSent) return next(error);
    const violation = responseViolation(error);
    if (violation !== undefined) return reportViolation(req, res, res.statusCode, violation);
    let problemToSend = toProblem(error, req);
    if (problemToSend.kind === 'internal') options.onInternalError(error, req);
    let response: ErrorResponse;
    try {
      response = api.errors.render(problemToSend, req.mock?.operation);
    } catch (renderError) {
      // A kind the vendor's format does not know is a bug in the mock: still answer in its format.
      options.onInternalError(renderError, req);
      problemToSend = { kind: 'internal', message: 'The mock server failed to handle this request' };
      response = api.errors.render(problemToSend);
    }
    // Misuse of the mock's own controls is answered even where the spec documents no 400.
    send(req, res, response, !problemToSend.mockControl);
  };

  // Order of checks, as real services do it: route -> authentication -> rate limit -> Prefer ->
  // body parsing -> schema validation -> the vendor's handler.
  const pipeline = compose([
    authenticate,
    preferredStatus(api, send),
    (req, res, next) => applyPlannedFault(api, options.faultPlans, clock, send, req, res, next),
    onlyWithBody([...bodyParsers(api.doc, options.bodyLimit), coerceForms(api.doc)]),
    ...specValidator(api, prefix, options.validateResponses),
    dispatch,
  ]);
  const extraRoutes = (api.routes ?? []).map((route) => ({ ...route, ...compilePathTemplate(route.path) }));
  const finish = (req: Request, res: Response, next: NextFunction) => (error?: unknown) =>
    error === undefined ? next() : errorHandler(error, req, res, next);

  /** A route the spec does not describe: no authentication, no spec checks, the vendor's errors. */
  const extraRoute = (req: Request, res: Response, next: NextFunction) => {
    const path = req.path.slice(slugPrefix.length) || '/';
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    const candidates = extraRoutes.filter((route) => route.pattern.test(path));
    const route = candidates.find((candidate) => candidate.method === method);
    const done = finish(req, res, next);
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
      applyPlannedFault(api, options.faultPlans, clock, send, req, res, () => {
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
  };

  // A spec served at the slug's root (its server URL has no path) shares `/<slug>` with the extra
  // routes: a path no operation has but an extra route matches is the extra route's.
  const sharesPrefix = prefix === slugPrefix && extraRoutes.length > 0;
  const isExtraRoutePath = (req: Request) => {
    const path = req.path.slice(slugPrefix.length) || '/';
    return extraRoutes.some((route) => route.pattern.test(path)) && index.match(req.method, path).allowed.length === 0;
  };

  // Matched by hand rather than app.use(prefix, ...): Express would rewrite req.url and walk its
  // parameter machinery on every request, a measurable share of the mock's time under load.
  const clock = options.clock ?? new SystemClock();
  app.use(function vendorApi(req, res, next) {
    const url = req.url;
    if (!isBelow(url, slugPrefix)) return next();
    const context: RequestContext = { operation: undefined, principal: undefined, prefer: parsePrefer(req.headers.prefer), requestedOutcome: undefined, uploads: [] };
    req.mock = context;
    let faults;
    try {
      faults = readRequestedFaults(context.prefer);
    } catch (error) {
      return errorHandler(error, req, res, next);
    }
    applyFaults(req, res, faults, clock, () => {
      if (isBelow(url, prefix) && !(sharesPrefix && isExtraRoutePath(req))) pipeline(req, res, finish(req, res, next));
      else extraRoute(req, res, next);
    });
  });
  return prefix;
}

/** `60_000` -> `minute`, `3_600_000` -> `hour`, else seconds. Default window: a minute. */
function describeWindow(windowMs = 60_000): string {
  if (windowMs === 60_000) return 'minute';
  if (windowMs === 3_600_000) return 'hour';
  return `${windowMs / 1000} s`;
}

/** Whether `url` is `prefix` itself or a path below it (query string allowed). */
function isBelow(url: string, prefix: string): boolean {
  if (!url.startsWith(prefix)) return false;
  const after = url.charAt(prefix.length);
  return after === '' || after === '/' || after === '?';
}

/**
 * `Prefer: code=<status>`: answer the documented error for that status, before any work is done.
 * `Prefer: job-status=<word>`: read once here, through the API's own status names.
 */
function preferredStatus(api: MountableApi, send: (req: Request, res: Response, response: ErrorResponse) => void): RequestHandler {
  return (req, res, next) => {
    const context = req.mock!;
    const { prefer } = context;
    const operation = context.operation!;
    context.requestedOutcome = readRequestedOutcome(prefer, api.jobStatuses, api.failureCodes);
    const code = prefer.get('code');
    if (code === undefined) return next();
    if (!operation.statuses.includes(code)) {
      throw problem('validation', `Prefer: code=${code} is not a documented response of ${operation.method} ${operation.path}; documented: ${operation.statuses.join(', ')}`, {
        fields: { Prefer: [`code must be one of ${operation.statuses.join(', ')}`] },
        mockControl: true,
      });
    }
    const status = Number(code);
    if (status < 400) return next();
    const response = api.errors.forStatus(status, `Simulated by Prefer: code=${code}`, operation);
    if (!response) return next();
    send(req, res, response);
  };
}
