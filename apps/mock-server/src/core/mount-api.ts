import express from 'express';
import type { ErrorRequestHandler, Express, NextFunction, Request, RequestHandler, Response } from 'express';
import * as OpenApiValidator from 'express-openapi-validator';

import { describeSchemes, readCredential } from './api-keys.js';
import { OperationIndex, listOperations } from './operations.js';
import { parsePrefer } from './prefer-header.js';
import { ProblemError, problem } from './problems.js';
import type { ErrorResponse, Problem } from './problems.js';
import type { RateLimiter } from './rate-limiter.js';
import { basePathOf } from './spec-document.js';
import type { OpenApiDocument } from './spec-document.js';
import { compose } from './compose.js';
import { memoizeValidatorRouteMatching } from './validator-route-cache.js';
import { compileValidatorSpecCheckOnFirstUse } from './validator-spec-check.js';
import { ErrorResponseCheck } from './error-response-check.js';
import type { RequestContext, VendorApi } from './vendor-api.js';

/** A response the mock produced that its own spec forbids: a bug in the mock, never in the client. */
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
}

/**
 * Mounts one vendor API at `/<slug><basePath>` as a single Express layer and returns that prefix.
 * Every failure is rendered in the vendor's own format.
 */
export function mountVendorApi(app: Express, api: VendorApi, options: PipelineOptions): string {
  const prefix = `/${api.slug}${basePathOf(api.doc)}`;
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

  const authenticate: RequestHandler = (req, res, next) => {
    const path = req.path.slice(prefix.length) || '/';
    const { operation, pathParams, allowed } = index.match(req.method, path);
    if (!operation) {
      const kind = allowed.length > 0 ? 'method_not_allowed' : 'not_found';
      const message =
        allowed.length > 0
          ? `${req.method} is not allowed on ${path}; use ${allowed.join(', ')}`
          : `No ${api.slug} endpoint at ${req.method} ${path}`;
      throw new ProblemError({ kind, message, allow: allowed });
    }

    // Set before authentication, so even a 401 is checked against this operation's responses.
    const context: RequestContext = { operation, principal: undefined, prefer: parsePrefer(req.headers.prefer) };
    req.mock = context;
    req.params = pathParams;
    let principal;
    if (operation.security.length > 0) {
      const credential = readCredential(req.headers, operation.security);
      principal = credential === undefined ? undefined : api.keys.lookup(credential);
      if (!principal) {
        throw problem(
          'authentication',
          credential === undefined
            ? `Missing API key: send it in the ${describeSchemes(operation.security)}`
            : 'Invalid API key',
        );
      }
      if (principal.rpm !== undefined || api.rateLimitHeaders) {
        const decision = options.rateLimiter.take(`${api.slug}\u0000${principal.key}`, principal.rpm ?? Number.MAX_SAFE_INTEGER);
        if (api.rateLimitHeaders) res.set(api.rateLimitHeaders(decision));
        if (!decision.allowed) {
          throw problem('rate_limited', `Rate limit of ${decision.limit} requests per minute exceeded; retry in ${decision.retryAfterSeconds} s`, {
            retryAfterSeconds: decision.retryAfterSeconds,
          });
        }
      }
    }

    context.principal = principal;
    next();
  };

  const dispatch: RequestHandler = (req, res) => api.handlers[req.mock!.operation.operationId]!(req, res);

  const errorHandler: ErrorRequestHandler = (error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    const violation = responseViolation(error);
    if (violation !== undefined) return reportViolation(req, res, res.statusCode, violation);
    const problemToSend = toProblem(error);
    if (problemToSend.kind === 'internal') options.onInternalError(error, req);
    // Misuse of the mock's own controls is answered even where the spec documents no 400.
    send(req, res, api.errors.render(problemToSend), !problemToSend.mockControl);
  };

  // Order of checks, as real services do it: route -> authentication -> rate limit -> Prefer ->
  // body parsing -> schema validation -> the vendor's handler.
  const pipeline = compose([
    authenticate,
    preferredStatus(api, send),
    onlyWithBody(bodyParsers(api.doc, options.bodyLimit)),
    ...specValidator(api, prefix, options.validateResponses),
    dispatch,
  ]);
  // Matched by hand rather than app.use(prefix, ...): Express would rewrite req.url and walk its
  // parameter machinery on every request, a measurable share of the mock's time under load.
  app.use(function vendorApi(req, res, next) {
    const url = req.url;
    const after = url.charAt(prefix.length);
    if (!url.startsWith(prefix) || (after !== '' && after !== '/' && after !== '?')) return next();
    pipeline(req, res, (error?: unknown) => (error === undefined ? next() : errorHandler(error, req, res, next)));
  });
  return prefix;
}

/** Runs the parsers only for operations that take a body; GETs skip them entirely. */
function onlyWithBody(parsers: RequestHandler[]): RequestHandler {
  const parse = compose(parsers);
  return (req, res, next) => (req.mock!.operation.hasRequestBody ? parse(req, res, next) : next());
}

/** Parsers for exactly the request media types the spec declares, so nothing else is accepted. */
function bodyParsers(doc: OpenApiDocument, limit: string): RequestHandler[] {
  const mediaTypes = new Set<string>();
  for (const [pointer, node] of walkObjects(doc)) {
    if (!/\/requestBod(y|ies)\b/.test(pointer) || typeof node.content !== 'object' || node.content === null) continue;
    for (const mediaType of Object.keys(node.content)) mediaTypes.add(mediaType);
  }
  const parsers: RequestHandler[] = [];
  if ([...mediaTypes].some((type) => type === 'application/json' || type.endsWith('+json'))) {
    parsers.push(express.json({ limit, type: ['application/json', 'application/*+json'] }));
  }
  if (mediaTypes.has('application/x-www-form-urlencoded')) parsers.push(express.urlencoded({ limit, extended: true }));
  return parsers;
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
      // No spec here takes multipart bodies yet; multer would otherwise run on every request.
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
    if (['400', '4XX', 'default'].some((status) => status in operation.responses)) continue;
    const raw = doc.paths[operation.path]?.[operation.method.toLowerCase()] as Record<string, unknown>;
    raw['x-eov-allow-unknown-query-parameters'] = true;
  }
}

/** `Prefer: code=<status>`: answer the documented error for that status, before any work is done. */
function preferredStatus(api: VendorApi, send: (req: Request, res: Response, response: ErrorResponse) => void): RequestHandler {
  return (req, res, next) => {
    const { operation, prefer } = req.mock!;
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
    const response = api.errors.forStatus(status, `Simulated by Prefer: code=${code}`);
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

/** Maps body-parser and validator errors onto the shared problem vocabulary. */
export function toProblem(error: unknown): Problem {
  if (error instanceof ProblemError) return error.problem;
  const e = error as ValidatorError;
  if (e?.type === 'entity.parse.failed') {
    return { kind: 'validation', message: `Request body is not valid JSON: ${e.message ?? 'parse error'}`, fields: { body: ['must be valid JSON'] } };
  }
  if (e?.type === 'entity.too.large') {
    return { kind: 'validation', message: `Request body is too large: ${e.message ?? ''}`.trim(), fields: { body: ['too large'] } };
  }
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') {
    return { kind: 'validation', message: e.message ?? 'Unsupported body encoding', fields: { body: [e.message ?? 'unsupported encoding'] } };
  }
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500 && Array.isArray(e.errors)) {
    const fields: Record<string, string[]> = {};
    const parts = e.errors.map((item) => {
      const field = fieldName(item.path);
      const message = item.message ?? 'is invalid';
      (fields[field] ??= []).push(message);
      return `${field}: ${message}`;
    });
    if (e.status === 415) {
      return { kind: 'validation', message: `Unsupported Content-Type: ${e.message ?? ''}; send application/json`.trim(), fields: { 'Content-Type': ['unsupported media type'] } };
    }
    return { kind: 'validation', message: parts.join('; ') || (e.message ?? 'Invalid request'), fields };
  }
  return { kind: 'internal', message: 'The mock server failed to handle this request' };
}

/** `/body/references/0/image` or `.body.references[0].image` -> `references[0].image`. */
function fieldName(path: string | undefined): string {
  if (!path) return 'request';
  const parts = path.replace(/^[./]/, '').split(/[./]/).filter(Boolean);
  const [location, ...rest] = parts;
  const joined = rest.reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
  if (location === 'body') return joined || 'body';
  if (location === 'params' || location === 'path') return joined ? `path parameter ${joined}` : 'path';
  if (location === 'headers') return joined ? `header ${joined}` : 'headers';
  if (location === 'query') return joined ? `query parameter ${joined}` : 'query';
  return [location, joined].filter(Boolean).join('.');
}
