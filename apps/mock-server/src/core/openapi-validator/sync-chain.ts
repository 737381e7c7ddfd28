import type { RequestHandler } from 'express';

import { compose } from '../compose.js';

/** The parts of express-openapi-validator's `OpenApiValidator` instance this reads. */
interface ValidatorInstance {
  options: { validateRequests?: unknown; validateResponses?: unknown; validateSecurity?: unknown; fileUploader?: unknown; operationHandlers?: unknown };
  metadataMiddleware(...args: unknown[]): RequestHandler;
  requestValidationMiddleware(...args: unknown[]): RequestHandler;
  responseValidationMiddleware(...args: unknown[]): RequestHandler;
}

type Stage = 'metadataMiddleware' | 'requestValidationMiddleware' | 'responseValidationMiddleware';

const counts = { direct: 0 };

/** How many requests went through a chain made by {@link directOnceBuilt} directly, for tests. */
export function directValidatorRuns(): number {
  return counts.direct;
}

/**
 * express-openapi-validator's middleware wait for its spec promise on every request, stage by stage
 * (`pContext.then(...).catch(next)`): ten promises and five microtask turns per request, long after
 * the spec was loaded. Each stage builds its real middleware on first use (route metadata, request
 * validation, response validation) and every later request goes through those same objects. So
 * this watches `validator` build them and, once every stage the options enable is built (the first
 * request that got through all of them also installed the path parameters, which the first stage
 * does once), runs exactly those in the same order, synchronously; a throw reaches `next` as before.
 * Until then, and for options it was not written for (security handlers, uploads, operation
 * handlers), requests take `chain` as the validator made it.
 */
export function directOnceBuilt(validator: ValidatorInstance, chain: RequestHandler[]): RequestHandler {
  const original = compose(chain);
  const { options } = validator;
  if (options.validateSecurity || options.fileUploader || options.operationHandlers) return original;
  const wanted: Stage[] = ['metadataMiddleware'];
  if (options.validateRequests) wanted.push('requestValidationMiddleware');
  if (options.validateResponses) wanted.push('responseValidationMiddleware');
  const built = new Map<Stage, RequestHandler>();
  for (const stage of wanted) {
    const build = validator[stage];
    validator[stage] = function (this: ValidatorInstance, ...args: unknown[]) {
      const middleware = build.apply(this, args);
      built.set(stage, middleware);
      return middleware;
    };
  }
  let direct: RequestHandler | undefined;
  return (req, res, next) => {
    if (direct) {
      counts.direct++;
      return direct(req, res, next);
    }
    if (built.size === wanted.length) direct = compose(wanted.map((stage) => built.get(stage)!));
    return original(req, res, next);
  };
}
