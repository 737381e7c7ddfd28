import type { NextFunction, Request, Response } from 'express';

import type { Clock } from './clock.js';
import type { Fault, RequestedFaults } from './prefer-header.js';

/**
 * The fault a request was given, kept in `res.locals` so the request log can tell a connection
 * the mock closed on purpose from one the client closed.
 */
export function injectedFault(res: Response): InjectedFault | undefined {
  return (res.locals as { mockFault?: InjectedFault } | undefined)?.mockFault;
}

/** A connection fault the mock injected, and what asked for it (`Prefer: fault=reset`, `fault plan fp_1`). */
export interface InjectedFault {
  fault: Fault;
  source: string;
}

/**
 * Applies `Prefer: fault` and `Prefer: latency` before the request goes further:
 * - `reset`: the connection is destroyed at once; nothing else happens.
 * - `drop-after-commit`: the request runs to its end (a job is created and billed), then the
 *   connection is destroyed instead of answering, so the client cannot know whether it happened.
 * - `latency=<ms>`: the request waits that long on the mock clock first (a client that gives up
 *   ends the wait).
 */
export function applyFaults(req: Request, res: Response, faults: RequestedFaults, clock: Clock, next: NextFunction, source?: string): void {
  if (faults.fault !== undefined) {
    const injected = { fault: faults.fault, source: source ?? `Prefer: fault=${faults.fault}` };
    if (injected.fault === 'reset') {
      destroyConnection(req, res, injected);
      return;
    }
    dropTheAnswer(req, res, injected);
  }
  if (faults.latencyMs === undefined || faults.latencyMs === 0) return next();
  const gone = new AbortController();
  const onClose = () => gone.abort(new Error('client went away'));
  res.once('close', onClose);
  clock.sleepUntil(clock.now() + faults.latencyMs, gone.signal).then(
    () => {
      res.off('close', onClose);
      next();
    },
    () => undefined, // the client went away: there is no one to answer
  );
}

/** Whatever the handler answers is discarded; ending the answer destroys the connection. */
function dropTheAnswer(req: Request, res: Response, injected: InjectedFault): void {
  res.writeHead = (() => res) as unknown as Response['writeHead'];
  res.write = (() => true) as Response['write'];
  res.end = (() => {
    destroyConnection(req, res, injected);
    return res;
  }) as Response['end'];
}

function destroyConnection(req: Request, res: Response, injected: InjectedFault): void {
  (res.locals as { mockFault?: InjectedFault }).mockFault = injected;
  req.socket.destroy();
}
