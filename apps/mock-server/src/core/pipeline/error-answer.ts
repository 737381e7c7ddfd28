import type { NextFunction, Request, Response } from 'express';

import { ErrorResponseCheck } from '../error-response-check.js';
import { responseViolation, toProblem, wasAborted } from '../openapi-validator/errors.js';
import { noteAnswer, problemReason } from '../answer-notes.js';
import type { ErrorResponse } from '../problems.js';
import type { MountableApi } from '../vendor-api.js';

/** A response (or, with `status` 0, a webhook payload to `path`) that broke the spec: a bug in the mock, never in the client. */
export interface ResponseViolation {
  api: string;
  method: string;
  path: string;
  status: number;
  message: string;
}

export interface ErrorAnswerOptions {
  /** Check error bodies against the spec (violations are recorded and answered as 500). */
  validateResponses: boolean;
  onViolation: (violation: ResponseViolation) => void;
  /** Told about errors the mock did not expect (answered as the vendor's internal error). */
  onInternalError: (error: unknown, req: Request) => void;
}

/** How a stage answers in the vendor's format. */
export interface ErrorAnswer {
  /** Sends a rendered error, checked against the operation's documented responses unless `checked` is false. */
  send(req: Request, res: Response, response: ErrorResponse, checked?: boolean): void;
  /** Answers whatever a stage or handler threw: a problem, a parser or validator error, a bug. */
  fail(error: unknown, req: Request, res: Response, next: NextFunction): void;
}

/**
 * Error answer: every failure below `/<slug>` rendered in the vendor's own format. Error bodies are
 * checked here rather than by express-openapi-validator: most are sent before its response hook
 * is installed (auth, rate limits, Prefer, invalid requests) and it skips 5xx.
 */
export function errorAnswer(api: MountableApi, options: ErrorAnswerOptions, beforeAnswer: (req: Request, res: Response) => void = () => undefined): ErrorAnswer {
  let errorBodies: ErrorResponseCheck | undefined;

  /** Answers 500 with what broke the spec, and records it: a bug in the mock, never in the client. */
  const reportViolation = (req: Request, res: Response, status: number, message: string) => {
    const record = { api: api.slug, method: req.method, path: req.originalUrl, status, message };
    options.onViolation(record);
    noteAnswer(res, { reason: `mock bug: the ${status} answer violates spec/${api.slug}/openapi.yaml: ${message}` });
    // Plain send: res.json would be validated again and loop.
    res.status(500).type('application/json').send(JSON.stringify({ mockServerBug: 'response violates the spec', ...record }));
  };

  const send: ErrorAnswer['send'] = (req, res, response, checked = true) => {
    const operation = checked && options.validateResponses ? req.mock?.operation : undefined;
    const violation = operation && (errorBodies ??= sharedErrorResponseCheck(api.doc)).violation(operation, response.status, response.body);
    if (violation) return reportViolation(req, res, response.status, violation);
    if (response.headers) res.set(response.headers);
    res.status(response.status).json(response.body);
  };

  const fail: ErrorAnswer['fail'] = (error, req, res, next) => {
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
    noteAnswer(res, { reason: problemToSend.kind === 'internal' ? `internal: ${error instanceof Error ? error.message : String(error)}` : problemReason(problemToSend) });
    beforeAnswer(req, res);
    // Misuse of the mock's own controls is answered even where the spec documents no 400.
    send(req, res, response, !problemToSend.mockControl);
  };

  return { send, fail };
}

// Compiled error-body validators hold no per-server state: servers built from the same spec (one
// per test, say) share them, set up on the first error answer, not when a server is created (most
// servers in a test suite answer few errors per API, many none).
const errorResponseChecks = new Map<string, ErrorResponseCheck>();

function sharedErrorResponseCheck(doc: MountableApi['doc']): ErrorResponseCheck {
  const key = JSON.stringify(doc);
  let check = errorResponseChecks.get(key);
  if (!check) {
    check = new ErrorResponseCheck(doc);
    errorResponseChecks.set(key, check);
  }
  return check;
}
