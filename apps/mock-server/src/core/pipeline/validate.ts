import type { RequestHandler } from 'express';

import { openApiValidatorFor } from '../openapi-validator/middleware.js';
import type { MountableApi } from '../vendor-api.js';

/**
 * Validate: the request (and, when asked, the handler's answer) against the spec, by
 * express-openapi-validator (`core/openapi-validator/`), set up on the API's first request: a
 * server with five APIs mounted pays at start-up for none of them, and a test that calls one pays
 * for that one.
 */
export function validateStage(api: MountableApi, prefix: string, validateResponses: boolean): RequestHandler {
  let validator: RequestHandler | undefined;
  return (req, res, next) => (validator ??= openApiValidatorFor(api, prefix, validateResponses))(req, res, next);
}
