import type { RequestHandler } from 'express';

import type { OperationIndex } from '../operations.js';
import { ProblemError } from '../problems.js';
import { malformedParameter } from '../openapi-validator/errors.js';

/**
 * Route: the spec operation a request below `prefix` asks for, its path parameters decoded.
 * HEAD is GET without the body (RFC 9110 9.3.2): Node already leaves the body out of a HEAD answer,
 * so a path without its own HEAD goes on as a GET, validated, authenticated and answered like one.
 * A path no operation has is `not_found`, another method on it `method_not_allowed`.
 */
export function routeStage(slug: string, prefix: string, index: OperationIndex): RequestHandler {
  return (req, _res, next) => {
    const path = req.path.slice(prefix.length) || '/';
    let { operation, pathParams, allowed, undecodable } = index.match(req.method, path);
    if (!operation && req.method === 'HEAD') {
      ({ operation, pathParams, allowed, undecodable } = index.match('GET', path));
      if (operation) req.method = 'GET';
    }
    if (!operation) {
      const kind = allowed.length > 0 ? 'method_not_allowed' : 'not_found';
      const message = allowed.length > 0 ? `${req.method} is not allowed on ${path}; use ${allowed.join(', ')}` : `No ${slug} endpoint at ${req.method} ${path}`;
      throw new ProblemError({ kind, message, allow: allowed });
    }
    // Set before authentication, so even a 401 is checked against this operation's responses.
    const context = req.mock!;
    context.operation = operation;
    context.undecodable = undecodable;
    req.params = pathParams;
    next();
  };
}

/**
 * A path parameter that is not valid percent-encoding, refused after authentication (a caller
 * without a key learns nothing about paths): the operation's validation error, else not found.
 */
export const malformedPathStage: RequestHandler = (req, _res, next) => {
  const { operation, undecodable } = req.mock!;
  if (undecodable !== undefined) throw malformedParameter(operation!, undecodable, req.params[undecodable] ?? '');
  next();
};

/** Whether `url` is `prefix` itself or a path below it (query string allowed). */
export function isBelow(url: string, prefix: string): boolean {
  if (!url.startsWith(prefix)) return false;
  const after = url.charAt(prefix.length);
  return after === '' || after === '/' || after === '?';
}
