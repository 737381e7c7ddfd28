import type { Request, Response } from 'express';

import type { ApiKeyConfig, KeyRegistry, Principal } from './api-keys.js';
import type { Operation } from './operations.js';
import type { VendorErrorFormat } from './problems.js';
import type { RateLimitState } from './rate-limiter.js';
import type { OpenApiDocument } from './spec-document.js';

/**
 * Everything the shared request pipeline needs to know about one vendor's API. Each API lives in
 * `src/apis/<slug>/` and builds one of these; the pipeline does auth, rate limits, `Prefer`,
 * validation and error rendering the same way for all of them.
 */
export interface VendorApi {
  /** The slug it is mounted under: `/<slug>` + the spec's base path. */
  slug: string;
  /** The spec, as loaded (the pipeline rebases a copy of it for validation). */
  doc: OpenApiDocument;
  errors: VendorErrorFormat;
  keys: KeyRegistry;
  /** Keys to print at start-up so a developer can make a first call. */
  devKeys: readonly ApiKeyConfig[];
  /**
   * One handler per operation, by the spec's `operationId`. Start-up fails if the spec has an
   * operation without one. Handlers run after auth, rate limits, `Prefer` and validation.
   */
  handlers: Readonly<Record<string, OperationHandler>>;
  /** Headers the vendor sends on every authenticated response (e.g. X-RateLimit-*). Default: none. */
  rateLimitHeaders?(state: RateLimitState): Record<string, string>;
  /** Forgets all state (jobs, credits spent, idempotency keys), as at start-up. */
  reset(): void;
}

/**
 * Answers one validated request. Answer errors by throwing a `ProblemError`: the pipeline renders it
 * in the vendor's format and checks it against the spec. express-openapi-validator checks what a
 * handler sends itself, but only below status 500.
 */
export type OperationHandler = (req: Request, res: Response) => void | Promise<unknown>;

/** What the pipeline attaches to each request before the vendor's handler runs. */
export interface RequestContext {
  operation: Operation;
  /** Undefined on public operations. */
  principal: Principal | undefined;
  /** RFC 7240 preferences (`Prefer: code=503`, `Prefer: job-status=error`). */
  prefer: Map<string, string>;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express's own extension point for request fields.
  namespace Express {
    interface Request {
      mock?: RequestContext;
    }
  }
}

export function contextOf(req: Request): RequestContext {
  if (!req.mock) throw new Error('request did not pass through the mock pipeline');
  return req.mock;
}
