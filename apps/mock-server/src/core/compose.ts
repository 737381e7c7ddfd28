import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Runs middleware in order as one Express layer. Each API is a single layer with its own short
 * chain instead of a dozen router layers that every request would walk and regex-match.
 * A thrown error or rejected promise goes to `next(error)` like Express 5 does.
 */
export function compose(chain: readonly RequestHandler[]): RequestHandler {
  return (req: Request, res: Response, done: NextFunction) => {
    let index = 0;
    const next = (error?: unknown): void => {
      if (error !== undefined && error !== null && error !== 'route' && error !== 'router') return done(error);
      const handler = chain[index++];
      if (!handler) return done();
      try {
        const result = handler(req, res, next) as unknown;
        if (result instanceof Promise) result.catch(next);
      } catch (thrown) {
        next(thrown ?? new Error('middleware threw a nullish value'));
      }
    };
    next();
  };
}
