import type { RequestHandler } from 'express';

import { injectedFault } from './core/faults.js';

/**
 * One line per request: method, URL, status and time taken. A connection closed before the answer
 * was sent is logged as aborted by the client, or as the fault a `Prefer` header asked for.
 */
export function requestLogger(log: (line: string) => void): RequestHandler {
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    // Read now: a HEAD request goes through an API's pipeline as a GET.
    const method = req.method;
    const line = (outcome: string) => `${method} ${req.originalUrl} ${outcome} ${(Number(process.hrtime.bigint() - start) / 1e6).toFixed(1)}ms`;
    res.once('finish', () => log(line(String(res.statusCode))));
    res.once('close', () => {
      if (res.writableFinished) return;
      const fault = injectedFault(res);
      log(line(fault === undefined ? 'aborted by the client' : `dropped (Prefer: fault=${fault})`));
    });
    next();
  };
}
