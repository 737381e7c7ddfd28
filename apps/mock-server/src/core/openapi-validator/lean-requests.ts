import type { NextFunction, Request, RequestHandler, Response } from 'express';

import { validatorRequire } from './version.js';

type Validate = ((data: unknown) => boolean) & { errors?: unknown };
interface Parameter {
  in?: string;
  name?: string;
  style?: string;
  content?: unknown;
}
interface Schema {
  type?: unknown;
  allOf?: unknown;
  oneOf?: unknown;
  anyOf?: unknown;
}
interface ContentTypeInstance {
  mediaType: string | null;
}
interface RequestValidatorInstance {
  apiDoc: unknown;
  ajv: { getSchema(key: string): Validate | undefined };
  ajvBody: { getSchema(key: string): Validate | undefined };
}
type BuildMiddleware = ((this: RequestValidatorInstance, path: string, reqSchema: { parameters?: unknown[] }, contentType: ContentTypeInstance, cacheKey: string) => RequestHandler) & {
  lean?: true;
  original?: BuildMiddleware;
};
interface RequestValidatorModule {
  RequestValidator: { prototype: { buildMiddleware: BuildMiddleware } };
}
interface ValidatorUtil {
  dereferenceParameter(apiDoc: unknown, parameter: unknown): Parameter;
  normalizeParameter(ajv: unknown, parameter: Parameter): { name: string; schema: Schema };
}
type OpenApiRequest = Request & {
  openapi: { pathParams: Record<string, string> };
  cookies?: Record<string, unknown>;
  signedCookies?: Record<string, unknown>;
};

const counts = { lean: 0, full: 0 };
let enabled = true;

/** Requests validated by the lean path, and those the validator's own middleware handled, for tests. */
export function leanRequestCounts(): { lean: number; full: number } {
  return { ...counts };
}

/** Turns the lean path off (and on again), so a test can send the same requests through both. */
export function setLeanRequestValidation(on: boolean): void {
  enabled = on;
}

/**
 * Per request, express-openapi-validator's request stage builds a parameter mutator that parses the
 * URL again (`url.parse`), walks the query for bracket notation, dereferences and normalizes every
 * parameter of the operation, redefines `req.query` twice and lists the known query parameters, and
 * only then runs its two compiled schema checks: for a GET without a query string all of that
 * changes nothing, and it is most of the stage's cost.
 *
 * The copy of its RequestValidator the validator loads gets a `buildMiddleware` that builds the same
 * middleware and, for an operation whose parameters the mutator leaves alone (path and header
 * parameters, scalar, no `content`, no form style) and whose body is not multipart or a
 * discriminator, answers a request without a query string and with an empty `req.query` by setting
 * `req.params` as the original does and running the same two compiled checks on the same data. When
 * both pass, that is the original's outcome; anything else (a query, an invalid request) goes to
 * the original middleware, which answers or throws as before.
 */
export function validateLeanRequests(): void {
  const module = validatorRequire('./middlewares/openapi.request.validator.js') as RequestValidatorModule;
  const util = validatorRequire('./middlewares/parsers/util.js') as ValidatorUtil;
  const original = module.RequestValidator.prototype.buildMiddleware;
  if (original.lean) return;
  const patched: BuildMiddleware = function buildMiddleware(path, reqSchema, contentType, cacheKey) {
    const middleware = original.call(this, path, reqSchema, contentType, cacheKey);
    // The original registered both compiled checks under the cache key it was given.
    const general = this.ajv.getSchema(cacheKey);
    const body = this.ajvBody.getSchema(cacheKey);
    const lean =
      general !== undefined &&
      body !== undefined &&
      !path.endsWith('*') &&
      contentType.mediaType !== 'multipart/form-data' &&
      (reqSchema.parameters ?? []).every((raw) => {
        const parameter = util.dereferenceParameter(this.apiDoc, raw);
        const { schema } = util.normalizeParameter(this.ajv, parameter);
        return (
          (parameter.in === 'path' || parameter.in === 'header') &&
          parameter.content === undefined &&
          parameter.style !== 'form' &&
          !Array.isArray(schema.type) &&
          schema.type !== 'array' &&
          schema.type !== 'object' &&
          schema.allOf === undefined &&
          schema.oneOf === undefined &&
          schema.anyOf === undefined
        );
      }) &&
      !hasDiscriminator(body);
    if (!lean) return middleware;
    return function leanRequestValidation(req: Request, res: Response, next: NextFunction) {
      if (enabled && req.originalUrl.indexOf('?') < 0 && isEmpty(req.query)) {
        const request = req as OpenApiRequest;
        request.params = request.openapi.pathParams;
        const data = {
          query: request.query ?? {},
          headers: request.headers,
          params: request.params,
          cookies: request.cookies ? { ...request.cookies, ...request.signedCookies } : undefined,
          body: request.body as unknown,
        };
        if (general(data) && body(data)) {
          counts.lean++;
          return next();
        }
      }
      counts.full++;
      return middleware(req, res, next);
    };
  };
  patched.lean = true;
  patched.original = original;
  module.RequestValidator.prototype.buildMiddleware = patched;
}

/** Whether the body schema the validator compiled carries a discriminator (it then picks the check itself). */
function hasDiscriminator(validate: Validate): boolean {
  const schema = (validate as { schema?: { properties?: { body?: { _discriminator?: unknown } } } }).schema;
  return schema?.properties?.body?._discriminator !== undefined;
}

/** Whether `query` has no keys, as `Object.keys` (which the original's query checks use) lists them. */
function isEmpty(query: unknown): boolean {
  if (query === undefined || query === null) return true;
  for (const key in query as object) if (Object.hasOwn(query as object, key)) return false;
  return true;
}
