import type { Request, Response } from 'express';

import type { ApiContext } from './api-context.js';
import type { ApiKeyConfig, KeyRegistry, Principal } from './api-keys.js';
import type { UploadedFile } from './form-body.js';
import type { JobFailure, JobPhase, TerminalPhase } from './job-store.js';
import type { Operation } from './operations.js';
import type { VendorErrorFormat } from './problems.js';
import type { RateLimitState } from './rate-limiter.js';
import type { OpenApiDocument } from './spec-document.js';

/**
 * What one vendor's API does, as its descriptor's `create(config, ctx)` returns it: behaviour only.
 * Its slug, spec, keys and state come from the {@link ApiContext} core lends it, and core forgets
 * and stops that state on reset and close; the pipeline does routing, auth, rate limits, `Prefer`,
 * validation and error rendering the same way for every API.
 */
export interface VendorApi<TKey extends ApiKeyConfig = ApiKeyConfig> {
  // The vendor's own kinds are checked where its format is defined; the pipeline only renders.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  errors: VendorErrorFormat<any>;
  /**
   * One handler per operation, by the spec's `operationId`. Start-up fails if the spec has an
   * operation without one. Handlers run after auth, rate limits, `Prefer` and validation.
   */
  handlers: Readonly<Record<string, OperationHandler>>;
  /**
   * Routes the spec does not describe but the vendor's answers point at (result files, presigned
   * outputs, CDN-style image URLs), below `/<slug>`: `{ method: 'GET', path: '/storage/outputs/{file}' }`.
   * They skip authentication and spec validation (a presigned or public URL carries no key);
   * errors they throw are rendered in the vendor's format. A GET route answers HEAD too.
   */
  routes?: readonly ExtraRoute[];
  /**
   * The vendor's word for each job phase (`{ queued: 'pending', succeeded: 'done', ... }`), so
   * `Prefer: job-status=<word>` is read the same way for every API. Omit for APIs without jobs.
   */
  jobStatuses?: Partial<Record<JobPhase, string>>;
  /** Failure codes a test may ask for with `Prefer: job-error-code=<code>`; omit to accept any. */
  failureCodes?: readonly string[];
  /**
   * Proxy mode: the vendor's JSON answer to a job-status read (`operationId`) as it would read had
   * the job ended as `outcome` says, the vendor's own ids and fields kept: what a job-outcome fault
   * means in front of the real service. Undefined when that operation's answer carries no job
   * status. Default: none (job-outcome faults leave proxied answers alone).
   */
  jobOutcomeAnswer?(operationId: string, answer: unknown, outcome: RequestedOutcome): unknown;
  /**
   * `Prefer` preferences of this vendor's mock besides core's (`failed-images`): controls a
   * proxy cannot simulate in front of the real service, so it refuses them. Default: none.
   */
  mockPreferences?: readonly string[];
  /**
   * How an output route answers a URL that has expired (a fault plan's `expire-outputs`): the
   * problem kind and message the vendor uses. Default: `not_found`, "This output has expired".
   */
  expiredOutput?: { kind: string; message: string };
  /** The vendor's rate limit; keys without a limit are never counted. Default: none. */
  rateLimit?: RateLimitPolicy<TKey>;
}

/** A vendor's behaviour with what the pipeline needs from its context: what `mountVendorApi` mounts. */
export interface MountableApi<TKey extends ApiKeyConfig = ApiKeyConfig> extends VendorApi<TKey> {
  /** The slug it is mounted under: `/<slug>` + the spec's base path. */
  slug: string;
  /** The spec, as loaded (the pipeline rebases a copy of it for validation). */
  doc: OpenApiDocument;
  keys: KeyRegistry<TKey>;
}

export interface RateLimitPolicy<TKey extends ApiKeyConfig = ApiKeyConfig> {
  /** Window length of the vendor's limit. Default: one minute. */
  windowMs?: number;
  /**
   * Requests a key may make per window, for this operation; undefined for no limit (e.g. for
   * operations whose spec documents no 429). Operations share the key's one window.
   */
  limitOf(principal: Principal<TKey>, operation: Operation): number | undefined;
  /**
   * Requests without a valid key (missing, unknown or revoked) a client address may make per
   * window, for vendors whose limit headers are on every answer, 401s included: those requests are
   * then counted per address (the socket's, never a forwarded one), answered with `headers`, and
   * refused with the rate-limit error past the limit. Default: not counted, no headers on a 401.
   */
  unauthenticatedLimit?: number;
  /** Headers the vendor sends with every counted response (e.g. X-RateLimit-*). Default: none. */
  headers?(state: RateLimitState): Record<string, string>;
}

export interface ExtraRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  /** Path template below `/<slug>`, with `{name}` parameters (one path segment each). */
  path: string;
  handler: OperationHandler;
}

/**
 * Answers one validated request. Answer errors by throwing a `ProblemError`: the pipeline renders it
 * in the vendor's format and checks it against the spec. express-openapi-validator checks what a
 * handler sends itself, but only below status 500.
 */
export type OperationHandler = (req: Request, res: Response) => void | Promise<unknown>;

/** What `Prefer: job-status=<word>` (with `job-error-code=<code>`, `job-error="<message>"`) asked for. */
export interface RequestedOutcome {
  phase: TerminalPhase;
  /** Only for `failed`: the code and message the test chose (either may be missing). */
  failure?: Partial<JobFailure>;
}

/** What the pipeline attaches to each request before the vendor's handler runs. */
export interface RequestContext {
  /** Undefined on extra routes. */
  operation: Operation | undefined;
  /** Undefined on public operations and extra routes. */
  principal: Principal | undefined;
  /**
   * RFC 7240 preferences (`Prefer: code=503`, `Prefer: job-status=error`). Read-only: requests
   * without a Prefer header share one empty map.
   */
  prefer: ReadonlyMap<string, string>;
  /** The job outcome a test asked for; undefined when it asked for none. */
  requestedOutcome: RequestedOutcome | undefined;
  /** The files of a multipart body (its other fields are in `req.body`). Read-only: requests without files share one empty list. */
  uploads: readonly UploadedFile[];
  /** A path parameter that is not valid percent-encoding, found by routing and refused after authentication. */
  undecodable?: string;
  /** Whether the API's rate limit counted the request (set when it does; false from the start, so every context has one shape). */
  rateCounted?: boolean;
  /**
   * Proxy mode: the credential the caller sent (never checked here: the vendor does), which
   * key-scoped fault plans match. Undefined in the mock, where `principal` is the key.
   */
  callerKey?: string;
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

/** The authenticated principal of an operation that declares security. */
export function principalOf(req: Request): Principal {
  const { principal } = contextOf(req);
  if (!principal) throw new Error('operation has no authenticated principal: is it public in the spec?');
  return principal;
}

/**
 * The terminal outcome a new job should get: the one `Prefer: job-status` asked for, with the
 * vendor's default code and message filled in where the test named none.
 */
export function outcomeFor(req: Request, failureDefaults: JobFailure): { outcome: TerminalPhase; failure?: JobFailure } {
  return settledOutcome(contextOf(req).requestedOutcome, failureDefaults);
}

/** {@link outcomeFor} for an outcome already read: `succeeded` for none, the vendor's defaults where the test named none. */
export function settledOutcome(requested: RequestedOutcome | undefined, failureDefaults: JobFailure): { outcome: TerminalPhase; failure?: JobFailure } {
  if (!requested) return { outcome: 'succeeded' };
  if (requested.phase !== 'failed') return { outcome: requested.phase };
  const code = requested.failure?.code ?? failureDefaults.code;
  return {
    outcome: 'failed',
    failure: { ...(code === undefined ? {} : { code }), message: requested.failure?.message ?? failureDefaults.message },
  };
}

/** A JSON answer as an object, or undefined for any other JSON value. */
export function jsonObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/**
 * A `jobOutcomeAnswer` for an API whose job-status read is `operationId`: `rewrite` gets that
 * answer as an object and the outcome asked for, the vendor's defaults filled in (`failureDefaults`
 * may depend on the code asked for); any other operation or answer is left alone.
 */
export function jobOutcomeRewrite(
  operationId: string,
  failureDefaults: JobFailure | ((requested: RequestedOutcome) => JobFailure),
  rewrite: (answer: Record<string, unknown>, settled: { outcome: TerminalPhase; failure?: JobFailure }) => unknown,
): NonNullable<VendorApi['jobOutcomeAnswer']> {
  return (operation, answer, requested) => {
    const object = jsonObject(answer);
    if (operation !== operationId || !object) return undefined;
    return rewrite(object, settledOutcome(requested, typeof failureDefaults === 'function' ? failureDefaults(requested) : failureDefaults));
  };
}

/** How one API joins the mock: the registry holds one of these per API. */
export interface ApiDescriptor<TSlug extends string = string, TConfig = unknown, TKey extends ApiKeyConfig = KeyOf<TConfig>> {
  slug: TSlug;
  /**
   * The environment variable the vendor's own documentation keeps the key in
   * (`LUMIXAI_API_KEY`); when set at start-up its value is accepted as one more key.
   */
  keyVariable?: string;
  /** Keys the API accepts when its config names none. */
  devKeys: readonly TKey[];
  /**
   * JSON Schema (draft 2020-12) of `apis.<slug>` in the config file: start-up refuses a config that
   * breaks it, and the published config schema is assembled from these.
   */
  configSchema: Record<string, unknown>;
  /**
   * The spec to serve, for an API whose document is not `spec/<slug>/openapi.yaml` (a test's own).
   * Default: `loadSpec(slug)`.
   */
  doc?: () => OpenApiDocument;
  /**
   * Its job operations by role, for tools that drive every API the same way (the conformance
   * runner arms its fault plans by role): the operationId that submits a job, the one that polls
   * it, and the one that downloads an image, or `output` for the image URLs its answers hand out.
   * Default: none (such tools then leave the API out).
   */
  jobOperations?: { submit: string; poll: string; download: string };
  /** Jobs one accepted submission makes (useapi.net makes a batch of 4). Default: 1. */
  jobsPerSubmission?: number;
  /**
   * How long its submission may hold the answer, with its default settings, waiting for the job to
   * finish and answering with the output instead of a job to poll (LumozAI's run waits 5 s). A tool
   * that needs the job polled (the conformance runner's poll faults) makes the job outlast it.
   * Default: 0 (a submission answers at once).
   */
  submitWaitMs?: number;
  /**
   * Builds the API's behaviour from its settings (every field of which has a default) and the
   * context core lends it (keys from `config.keys` or `devKeys`, stores, callbacks, URLs).
   */
  create(config: TConfig, ctx: ApiContext<TKey>): VendorApi<TKey>;
}

/** The key config type of an API config with `keys?: TKey[]`. */
export type KeyOf<TConfig> = TConfig extends { keys?: Array<infer TKey extends ApiKeyConfig> } ? TKey : ApiKeyConfig;

/** Declares an API descriptor with its slug as a literal type. */
export function defineApi<const TSlug extends string, TConfig extends { keys?: ApiKeyConfig[] }>(
  descriptor: ApiDescriptor<TSlug, TConfig, KeyOf<TConfig>>,
): ApiDescriptor<TSlug, TConfig, KeyOf<TConfig>> {
  return descriptor;
}
