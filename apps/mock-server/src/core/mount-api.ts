import bytes from 'bytes';
import express from 'express';
import type { ErrorRequestHandler, Express, NextFunction, Request, RequestHandler, Response } from 'express';
import * as OpenApiValidator from 'express-openapi-validator';

import { describeSchemes, readCredential } from './api-keys.js';
import type { Clock } from './clock.js';
import { SystemClock } from './clock.js';
import { applyFaults } from './faults.js';
import { coerceFormFields, multipartParser } from './form-body.js';
import { OperationIndex, compilePathTemplate, listOperations, safeDecode } from './operations.js';
import type { Operation } from './operations.js';
import { DEFAULT_JSON_LIMITS, jsonComplexityError } from './json-limits.js';
import { parsePrefer, readRequestedFaults, readRequestedOutcome } from './prefer-header.js';
import { PAYLOAD_TOO_LARGE, ProblemError, fieldMessages, problem } from './problems.js';
import type { ErrorResponse, Problem, ValidationIssue, ValidationLocation } from './problems.js';
import type { RateLimiter } from './rate-limiter.js';
import { basePathOf } from './spec-document.js';
import type { OpenApiDocument } from './spec-document.js';
import { compose } from './compose.js';
import { memoizeValidatorRouteMatching } from './validator-route-cache.js';
import { compileValidatorSpecCheckOnFirstUse } from './validator-spec-check.js';
import { ErrorResponseCheck } from './error-response-check.js';
import type { RequestContext, VendorApi } from './vendor-api.js';
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
}

/**
 * Mounts one vendor API as a single Express layer: its spec's operations at `/<slug><basePath>`,
 * its extra routes (result files, presigned outputs) below `/<slug>`. Returns the operations'
 * prefix. Every failure below `/<slug>` is rendered in the vendor's own format.
 */
export function mountVendorApi(app: Express, api: VendorApi, options: PipelineOptions): string {
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
      const result = route.handler(req, res) as unknown;
      if (result instanceof Promise) result.catch(done);
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

/** Runs the parsers only for operations that take a body; GETs skip them entirely. */
function onlyWithBody(parsers: RequestHandler[]): RequestHandler {
  const parse = compose(parsers);
  return (req, res, next) => (req.mock!.operation!.hasRequestBody ? parse(req, res, next) : next());
}

/** Parsers for exactly the request media types the spec declares, so nothing else is accepted. */
function bodyParsers(doc: OpenApiDocument, limit: string): RequestHandler[] {
  const mediaTypes = new Set<string>();
  for (const [pointer, node] of walkObjects(doc)) {
    if (!/\/requestBod(y|ies)\b/.test(pointer) || typeof node.content !== 'object' || node.content === null) continue;
    for (const mediaType of Object.keys(node.content)) mediaTypes.add(mediaType);
  }
  const parsers: RequestHandler[] = [];
  if ([...mediaTypes].some(isJsonType)) {
    parsers.push(
      express.json({
        limit,
        type: ['application/json', 'application/*+json'],
        // Refused before JSON.parse: parsing and validating a hostile shape blocks every other request.
        verify(_req, _res, body) {
          const tooComplex = jsonComplexityError(body, DEFAULT_JSON_LIMITS);
          if (tooComplex !== undefined) throw problem('validation', tooComplex, { fields: { body: [tooComplex] } });
        },
      }),
    );
  }
  if (mediaTypes.has('application/x-www-form-urlencoded')) parsers.push(express.urlencoded({ limit, extended: true }));
  if (mediaTypes.has('multipart/form-data')) parsers.push(multipartParser({ bodyBytes: bytesOf(limit) }));
  // Every other declared type (an image upload's `image/png`...) arrives as its raw bytes, a Buffer.
  const raw = [...mediaTypes].filter((type) => !isJsonType(type) && !FORM_TYPES.includes(type));
  if (raw.length > 0) parsers.push(express.raw({ limit, type: raw }));
  return parsers;
}

function isJsonType(type: string): boolean {
  return type === 'application/json' || type.endsWith('+json');
}

/** `'25mb'` -> bytes, read by the same library body-parser reads its own limits with. */
function bytesOf(limit: string): number {
  const parsed = bytes.parse(limit);
  if (parsed === null || !Number.isFinite(parsed)) throw new Error(`bodyLimit must look like '25mb', got ${limit}`);
  return parsed;
}

const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data'];

/** Form values are strings on the wire: typed by the operation's schema for that media type. */
function coerceForms(doc: OpenApiDocument): RequestHandler {
  return (req, _res, next) => {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const schema = FORM_TYPES.includes(type) ? req.mock!.operation!.requestSchemas[type] : undefined;
    if (schema !== undefined && req.body !== null && typeof req.body === 'object' && !Array.isArray(req.body)) {
      coerceFormFields(doc, schema, req.body as Record<string, unknown>);
    }
    next();
  };
}

function* walkObjects(node: unknown, pointer = '#'): Generator<[string, Record<string, unknown>]> {
  if (typeof node !== 'object' || node === null) return;
  if (!Array.isArray(node)) yield [pointer, node as Record<string, unknown>];
  for (const [key, child] of Object.entries(node)) yield* walkObjects(child, `${pointer}/${key}`);
}

// Compiling a spec's validators takes most of a server's start-up; they hold no per-server state,
// so servers built from the same spec, prefix and options (one per test, say) share them.
const validators = new Map<string, RequestHandler[]>();

/**
 * express-openapi-validator for one API, set up on the API's first request: a server with five
 * APIs mounted pays at start-up for none of them, and a test that calls one pays for that one.
 */
function specValidator(api: VendorApi, prefix: string, validateResponses: boolean): RequestHandler[] {
  let chain: RequestHandler | undefined;
  return [(req, res, next) => (chain ??= compose(specValidatorChain(api, prefix, validateResponses)))(req, res, next)];
}

function specValidatorChain(api: VendorApi, prefix: string, validateResponses: boolean): RequestHandler[] {
  const cacheKey = `${api.slug}\u0000${prefix}\u0000${validateResponses}\u0000${JSON.stringify(api.doc)}`;
  let middleware = validators.get(cacheKey);
  if (!middleware) {
    memoizeValidatorRouteMatching();
    compileValidatorSpecCheckOnFirstUse();
    const validationDoc = structuredClone(api.doc);
    validationDoc.servers = [{ url: prefix }];
    allowUnknownQueryWhereNo400(validationDoc);
    middleware = OpenApiValidator.middleware({
      apiSpec: validationDoc as never,
      // `redocly lint` (recommended-strict, with its `struct` rule) validates every spec document
      // at build time; checking it again here cost each server ~100 ms per API.
      validateApiSpec: false,
      validateRequests: { allowUnknownQueryParameters: false },
      validateResponses: validateResponses ? { removeAdditional: false } : false,
      validateSecurity: false,
      // Multipart bodies are parsed (and their fields typed) by the pipeline before this runs.
      fileUploader: false,
      validateFormats: true,
      ignoreUndocumented: true,
    }) as RequestHandler[];
    validators.set(cacheKey, middleware);
  }
  return middleware;
}

/**
 * Unknown query parameters are refused (a typo gets a 400 naming it) only where the operation
 * documents a 400: elsewhere, e.g. LumixAI's public catalog, refusing would be an answer its spec
 * does not allow, so they are ignored, as most services do.
 */
function allowUnknownQueryWhereNo400(doc: OpenApiDocument): void {
  for (const operation of listOperations(doc)) {
    if (documentsBadRequest(operation)) continue;
    const raw = doc.paths[operation.path]?.[operation.method.toLowerCase()] as Record<string, unknown>;
    raw['x-eov-allow-unknown-query-parameters'] = true;
  }
}

function documentsBadRequest(operation: Operation): boolean {
  return ['400', '4XX', 'default'].some((status) => status in operation.responses);
}

/**
 * `Prefer: code=<status>`: answer the documented error for that status, before any work is done.
 * `Prefer: job-status=<word>`: read once here, through the API's own status names.
 */
function preferredStatus(api: VendorApi, send: (req: Request, res: Response, response: ErrorResponse) => void): RequestHandler {
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

interface ValidatorError {
  status?: number;
  message?: string;
  errors?: Array<{ path?: string; message?: string; errorCode?: string }>;
  type?: string;
  headers?: Record<string, string>;
}

function responseViolation(error: unknown): string | undefined {
  const e = error as ValidatorError;
  if (e?.status !== 500 || !Array.isArray(e.errors)) return undefined;
  if (!e.errors.some((item) => /^[./]response/.test(item.path ?? ''))) return undefined;
  return e.errors.map((item) => `${item.path}: ${item.message}`).join('; ');
}

/**
 * A path parameter that is not valid percent-encoding (`/jobs/%zz`), named: a validation error
 * where the operation documents one, else the resource simply does not exist.
 */
function malformedParameter(operation: Operation, name: string, raw: string): ProblemError {
  const message = `path parameter ${name} is not valid percent-encoding: ${raw}`;
  if (!documentsStatus(operation, 400)) return problem('not_found', `No resource at ${operation.path.replace(`{${name}}`, raw)}: ${message}`);
  return problem('validation', message, { fields: fieldMessages([[`path parameter ${name}`, 'is not valid percent-encoding']]) });
}

function documentsStatus(operation: Operation, status: number): boolean {
  return [String(status), `${String(status).charAt(0)}XX`, 'default'].some((documented) => operation.statuses.includes(documented));
}

/** Whether the client went away before the request could be answered. */
function wasAborted(error: unknown, req: Request): boolean {
  return (error as ValidatorError | undefined)?.type === 'request.aborted' || req.socket.destroyed;
}

/** `gzip` or `deflate` body that does not inflate: zlib's error, passed on by body-parser as a 400. */
function isInflateError(error: ValidatorError & { code?: unknown }): boolean {
  return error.status === 400 && typeof error.code === 'string' && error.code.startsWith('Z_');
}

/** Maps body-parser and validator errors onto the shared problem vocabulary. */
export function toProblem(error: unknown, req?: Request): Problem {
  if (error instanceof ProblemError) return error.problem as Problem;
  const e = error as ValidatorError & { code?: unknown; expose?: unknown };
  if (isInflateError(e)) {
    const encoding = req?.headers['content-encoding'] ?? 'compressed';
    const message = `Request body is not valid ${encoding} data: ${e.message ?? 'inflate failed'}`;
    return { kind: 'validation', message, fields: { body: [`is not valid ${encoding} data`] } };
  }
  if (e?.type === 'entity.parse.failed') {
    return { kind: 'validation', message: `Request body is not valid JSON: ${e.message ?? 'parse error'}`, fields: { body: ['must be valid JSON'] } };
  }
  if (e?.type === 'entity.too.large') {
    return { kind: 'validation', message: `Request body is too large: ${e.message ?? ''}`.trim(), fields: { body: ['too large'] }, code: PAYLOAD_TOO_LARGE };
  }
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') {
    return { kind: 'validation', message: e.message ?? 'Unsupported body encoding', fields: { body: [e.message ?? 'unsupported encoding'] } };
  }
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500 && Array.isArray(e.errors)) {
    if (e.status === 415) return unsupportedMediaType(req);
    const issues = e.errors.map((item) => validationIssue(item, req));
    // A path whose percent-encoding is malformed names no resource: where the operation documents
    // no 400, that is its not-found answer rather than an undocumented status.
    const operation = req?.mock?.operation;
    if (operation && !documentsBadRequest(operation) && issues.every((issue) => issue.location === 'request' && /malformed uri/i.test(issue.message))) {
      return { kind: 'not_found', message: `No resource at ${req!.path}: its percent-encoding is malformed` };
    }
    const fields = fieldMessages(issues.map((issue) => [issue.location === 'body' ? issue.field : describeField(issue), issue.message] as const));
    const message = issues.map((issue) => `${issue.location === 'body' ? issue.field : describeField(issue)}: ${issue.message}`).join('; ');
    return { kind: 'validation', message: message || (e.message ?? 'Invalid request'), fields, issues };
  }
  // Any other body-parser refusal (too many form parameters, form nesting, a size that does not
  // match Content-Length) is a client error that http-errors marks as safe to show.
  if (typeof e?.type === 'string' && typeof e.status === 'number' && e.status >= 400 && e.status < 500 && e.expose === true) {
    return { kind: 'validation', message: `Request body was refused: ${e.message ?? e.type}`, fields: { body: [e.message ?? e.type] } };
  }
  return { kind: 'internal', message: 'The mock server failed to handle this request' };
}

/** A body in a media type the operation does not declare, naming the type sent and the ones it takes. */
function unsupportedMediaType(req: Request | undefined): Problem {
  const sent = (req?.headers['content-type'] ?? '').split(';')[0]!.trim();
  const allowed = Object.keys(req?.mock?.operation?.requestSchemas ?? {});
  const message = `Unsupported Content-Type ${sent === '' ? '(none)' : sent}; send ${allowed.join(' or ') || 'no body'}`;
  return {
    kind: 'validation',
    message,
    fields: { 'Content-Type': [message] },
    issues: [{ location: 'headers', path: ['content-type'], field: 'content-type', keyword: 'mediaType', message, value: sent, allowed }],
  };
}

const LOCATIONS: Record<string, ValidationLocation> = { body: 'body', params: 'path', path: 'path', query: 'query', headers: 'headers' };

/** One validator error with the offending value and the allowed values recovered. */
function validationIssue(item: { path?: string; message?: string; errorCode?: string }, req: Request | undefined): ValidationIssue {
  // `/body/references/0/image` or `.body.references[0].image`
  const parts = (item.path ?? '').replace(/^[./]/, '').split(/[./[\]]/).filter(Boolean);
  const [head = 'request', ...rest] = parts;
  const location = LOCATIONS[head] ?? 'request';
  const path = rest.map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  const message = item.message ?? 'is invalid';
  const keyword = item.errorCode?.replace(/\.openapi\.(validation|requestValidation)$/, '');
  const issue: ValidationIssue = { location, path, field: fieldPath(path, location), keyword, message };
  const source = req === undefined ? undefined : location === 'path' ? req.params : location === 'request' ? undefined : (req as unknown as Record<string, unknown>)[location];
  const value = valueAt(source, path);
  if (value !== undefined) issue.value = value;
  // express-openapi-validator appends an enum's values to its message: `...allowed values: a, b`.
  const allowed = keyword === 'enum' ? /allowed values: (.*)$/.exec(message)?.[1] : undefined;
  if (allowed !== undefined) issue.allowed = allowed.split(', ');
  return issue;
}

function valueAt(source: unknown, path: ReadonlyArray<string | number>): unknown {
  let current = source;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || !Object.prototype.hasOwnProperty.call(current, key)) return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

/** `['references', 0, 'image']` -> `references[0].image`. */
function fieldPath(path: ReadonlyArray<string | number>, location: ValidationLocation): string {
  const joined = path.reduce<string>((acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
  return joined || (location === 'request' ? 'request' : location);
}

/** How a non-body field is named in messages: `path parameter id`, `query parameter verbose`. */
function describeField(issue: ValidationIssue): string {
  const name = issue.path.length > 0 ? issue.field : '';
  const label = { path: 'path parameter', query: 'query parameter', headers: 'header', body: '', request: '' }[issue.location];
  return name ? `${label} ${name}`.trim() : issue.field;
}
