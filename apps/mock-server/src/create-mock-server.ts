import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import express from 'express';
import type { Express, RequestHandler } from 'express';

import type { ApiConfigs, ApiSlug } from './apis/registry.js';
import { APIS } from './apis/registry.js';
import type { Clock } from './core/clock.js';
import { ClosableClock, SystemClock } from './core/clock.js';
import type { ResponseViolation } from './core/mount-api.js';
import { mountVendorApi } from './core/mount-api.js';
import { DirectRoutes, fastPathsEnabled } from './core/direct-dispatch.js';
import { RateLimiter } from './core/rate-limiter.js';
import { bodyLimitBytes } from './core/pipeline/body.js';
import { checkKeys } from './core/api-keys.js';
import type { TimingMode } from './core/timing.js';
import type { ApiDescriptor } from './core/vendor-api.js';
import type { ApiKeyConfig } from './core/api-keys.js';
import { createApiContext } from './core/api-context.js';
import type { ApiContextHandle, ApiState, SharedContext } from './core/api-context.js';
import { loadSpec } from './core/spec-document.js';
import { useLeanJsonResponses } from './core/json-response.js';
import { originResolver } from './core/origin.js';
import { originFormTargets } from './core/request-target.js';
import { INFERENCE_ROUTES_PATH, inferenceRoutes } from './core/inference-routes.js';
import { WEBHOOK_ROUTES_PATH, webhookRoutes } from './core/webhook-routes.js';
import { faultTargetOf } from './core/pipeline/fault-plan.js';
import { FAULT_PLAN_ROUTES_PATH, faultPlanRoutes } from './core/fault-plan-routes.js';
import { FaultPlans } from './core/fault-plans.js';
import type { FaultTarget } from './core/fault-plans.js';
import { WebhookDispatcher } from './core/webhooks.js';
import type { WebhookDispatcherOptions } from './core/webhooks.js';
import { mountDocs } from './docs-routes.js';
import { DRIFT_ROUTES_PATH, driftRoutes } from './proxy/drift-routes.js';
import { DriftReport } from './proxy/drift-report.js';
import { HarRecorder } from './proxy/har-recorder.js';
import type { ProxyOptions } from './proxy/mount-proxy.js';
import { mountProxiedApi, parseUpstream } from './proxy/mount-proxy.js';
import { noteAnswer } from './core/answer-notes.js';
import type { JobPhase } from './core/job-store.js';
import { formatMockEvent, jobEventSource } from './mock-events.js';
import type { MockEvent, RequestEvent } from './mock-events.js';
import { requestEvents } from './request-logger.js';
import { acceptedKeysHint, quickStartCurl, quickStartMarkdown, shownKeys } from './quick-start.js';
import type { ShownKey } from './quick-start.js';
import { unmountedPathHint } from './unmounted-path.js';
import type { RoutedApi } from './unmounted-path.js';
import { RequestLog } from './core/inspector/request-log.js';
import { secretScrubber } from './core/secrets.js';
import { INSPECTOR_ROUTES_PATH, inspectorRoutes } from './core/inspector/routes.js';
import type { InspectedApi } from './core/inspector/snapshot.js';

/** Options of {@link createMockServer}. Every field is optional. */
export interface MockServerOptions {
  /**
   * Per-API settings by slug (keys, workspaces, credits, rate limits, catalog files); `false`
   * leaves an API out. Default: every API, with its dev keys.
   */
  apis?: { [S in ApiSlug]?: ApiConfigs[S] | false };
  /**
   * The APIs to serve, one descriptor each, in order: `APIS` (the five) with, say, one a test
   * defines itself with `defineApi` (its `doc` hook gives its spec). Default: `APIS`.
   */
  // Each descriptor pairs its own config and key types; the list only carries them.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  registry?: readonly ApiDescriptor<string, any, any>[];
  /** How long jobs take: `instant`, `realistic` (each model's documented timing) or fixed durations. Default: `'instant'`. */
  timing?: TimingMode;
  /** The server's time. Pass a `ManualClock` to move jobs, rate-limit windows and expiry forward without sleeping. Default: a `SystemClock`. */
  clock?: Clock;
  /** How long a finished result stays downloadable ("download promptly"), in ms. Default: 1 hour. */
  resultRetentionMs?: number;
  /** How long a job id stays known after it finishes, in ms. Default: 24 hours. */
  jobRetentionMs?: number;
  /** How long an idempotency key is remembered, in ms. Default: 24 hours. */
  idempotencyRetentionMs?: number;
  /**
   * The URL clients reach this server at (`http://mock:4010` behind a container port), used for the
   * absolute URLs in answers and `GET /`. Default: the address each request arrived on.
   */
  publicUrl?: string;
  /** Largest request body accepted (inline reference images included). Default: `'25mb'`. */
  bodyLimit?: string;
  /** Validate every response against the spec; violations are answered as 500 and recorded. Default: `true`. */
  validateResponses?: boolean;
  /**
   * Receives each {@link MockEvent} as one line ({@link formatMockEvent}): one per request
   * (`POST /lumixai/... 401 1.2ms  authentication (invalid key): Invalid API key`, an error answer
   * with its reason) and one per job state change (`lumixai job 5d0c...: pending -> running`).
   * Default: none (silent).
   */
  log?: (line: string) => void;
  /**
   * Receives every {@link MockEvent} as data: each answered request (API, masked key, status, the
   * reason for an error) and each job state change on the mock clock. Called synchronously on the
   * server's own turn: keep it quick, and do not throw. Default: none (no events are built).
   */
  onEvent?: (event: MockEvent) => void;
  /** Folder with the rendered docs (`<slug>.html`, `index.html`). Default: the `@imagegen/docs` build. */
  docsDir?: string;
  /**
   * How webhooks and callbacks are sent: attempts, backoff, per-attempt timeout, allowed address
   * ranges (default: loopback and private networks only). Default: see `WebhookDispatcherOptions`.
   */
  webhooks?: WebhookDispatcherOptions;
  /**
   * Proxy mode: an API given an upstream URL here (`{ lumen: 'https://lumen.mengfanlab.top' }`,
   * taking the place of `/<slug>`) is forwarded to it with the caller's own credentials instead of
   * mocked; both directions are checked against its spec and the differences land in `drift`.
   * Default: none (every API is mocked).
   */
  upstreams?: { [S in ApiSlug]?: string };
  /** How proxied APIs forward (refusing invalid requests, timeout). Default: see `ProxyOptions`. */
  proxy?: ProxyOptions;
  /**
   * Proxy mode: a folder to record every proxied exchange in, as one HAR 1.2 file per server with
   * secrets redacted (credential headers, API keys in query strings, webhook secrets, presigned
   * signatures), rewritten after each exchange. Default: nothing recorded.
   */
  record?: string;
  /**
   * The inspector at `/_mock/`: a page for people (requests and why they failed, jobs, webhooks and
   * their signatures, money, faults, spec violations; live) and the same views as JSON. `false`
   * turns it off: no request is recorded and `/_mock/` answers 404. Default: `{}` (on, with the
   * defaults of {@link InspectorOptions}).
   */
  inspector?: InspectorOptions | false;
}

/** Settings of the inspector at `/_mock/`. */
export interface InspectorOptions {
  /**
   * How many recent requests it keeps per API (a ring: the oldest go first), each with its headers
   * and the first 2000 characters of its bodies, secrets masked. Memory stays bounded by this
   * whatever the traffic. Default: 200.
   */
  requestsPerApi?: number;
}

/** One mounted API, as `GET /` lists it. */
export interface MountedApi {
  slug: string;
  title: string;
  /** Path prefix of the API's base URL, e.g. `/lumixai/api/backend`. */
  basePath: string;
  /** Path of its rendered docs, e.g. `/docs/lumixai`. */
  docsPath: string;
  devKeys: readonly ApiKeyConfig[];
}

export interface MockServer {
  /** The Express app (the factory never listens): `serve(mock)`, or `createHttpServer(mock.app)` to listen yourself, about twice as fast as `app.listen`. */
  app: Express;
  clock: Clock;
  apis: MountedApi[];
  /** Responses (and webhook payloads) that broke the spec since start or `reset()`. Tests should expect this to stay empty. */
  violations: ResponseViolation[];
  /**
   * Every webhook and callback the mock sent or refused, with each attempt; `await
   * mock.webhooks.waitFor(...)` in a test. Also served as JSON at `/_mock/webhooks`.
   */
  webhooks: WebhookDispatcher;
  /**
   * A read-only snapshot of one mounted API's state: its jobs (phase, owner, charge) and the
   * balances of its workspaces with a configured one, for tests that check what a client created
   * and was charged. Throws for a slug that is not mounted.
   */
  state(slug: ApiSlug | (string & {})): ApiState;
  /**
   * Faults armed from outside: `mock.faults.arm({ api: 'lumixai', operation: 'createImageJob',
   * fault: 'drop-after-commit' })`, `list()`, `fired()`, `clear()`. Also served at `/_mock/faults`.
   */
  faults: FaultPlans;
  /**
   * Proxy mode: every difference between what the upstreams answered and what the specs say, by
   * operation and JSON pointer, and the requests that broke the spec. Also served at `/_mock/drift`.
   */
  drift: DriftReport;
  /** Proxy mode with `record`: the HAR recorder (`recording.file` is where it writes). Default: undefined. */
  recording: HarRecorder | undefined;
  /** Forgets jobs, spent credits, idempotency keys, rate-limit windows, webhook deliveries, violations, fault plans and the inspector's requests. */
  reset(): void;
  /**
   * Stops everything the APIs own: job timers are cancelled (no refund, callback or webhook fires
   * after it; a callback due later is recorded as refused, never thrown), and in-flight webhook
   * attempts are cancelled. State stays readable. `serve(...).close()` calls it.
   */
  close(): Promise<void>;
}

export function createMockServer(options: MockServerOptions = {}): MockServer {
  const clock = options.clock ?? new SystemClock();
  // The APIs' expiry sweeps run on this one, so close() stops them all.
  const serverClock = new ClosableClock(clock);
  const rateLimiter = new RateLimiter(serverClock);
  const violations: ResponseViolation[] = [];
  const app = express();
  app.disable('x-powered-by');
  // ETags would hash every JSON body; no vendor documents conditional requests.
  app.set('etag', false);
  useLeanJsonResponses(app);
  app.use(originFormTargets());
  const { log, onEvent } = options;
  const emit = log || onEvent ? (event: MockEvent) => (onEvent?.(event), log?.(formatMockEvent(event))) : undefined;
  const inspector = options.inspector === false ? undefined : options.inspector ?? {};
  // The inspector's Requests view is the request events, each with its exchange (headers, bodies).
  // Keys quoted in a message (a 401 listing the keys accepted) are masked in what the inspector shows.
  let scrubKeys: ((text: string) => string) | undefined;
  const requests = new RequestLog(clock, inspector?.requestsPerApi ?? 200, (text) => (scrubKeys ??= secretScrubber(apis.flatMap((api) => api.devKeys.map((config) => config.key))))(text));
  if (inspector) requests.captureAnswers(app);
  // The layers every API request meets before its API's own (see DirectRoutes).
  const beforeApis: RequestHandler[] = [];
  if (emit || inspector) {
    beforeApis.push(
      requestEvents((event: RequestEvent, res, clockAt) => {
        if (inspector) requests.record(event, res, clockAt);
        emit?.(event);
      }, () => clock.now()),
    );
  }
  for (const layer of beforeApis) app.use(layer);
  const directRoutes = fastPathsEnabled() ? new DirectRoutes() : undefined;
  /** Each API's words for its job phases, for the job events; known once the API is created. */
  const statusWords = new Map<string, Partial<Record<JobPhase, string>>>();

  const originOf = originResolver(options.publicUrl);
  const recordViolation = (violation: ResponseViolation) => {
    violations.push(violation);
    console.error(`[mock-server] ${violation.status === 0 ? 'webhook payload' : 'response'} violates spec/${violation.api}/openapi.yaml: ${violation.method} ${violation.path} ${violation.status || ''}: ${violation.message}`);
  };
  const webhooks = new WebhookDispatcher(clock, {
    ...options.webhooks,
    onViolation: (violation) => {
      recordViolation({ api: violation.api, method: 'POST', path: violation.url, status: 0, message: `webhook ${violation.deliveryId}: ${violation.message}` });
      options.webhooks?.onViolation?.(violation);
    },
  });
  const validateResponses = options.validateResponses ?? true;
  const shared: SharedContext = {
    clock: serverClock,
    timing: options.timing ?? 'instant',
    resultRetentionMs: options.resultRetentionMs ?? 60 * 60 * 1000,
    jobRetentionMs: options.jobRetentionMs ?? 24 * 60 * 60 * 1000,
    idempotencyRetentionMs: options.idempotencyRetentionMs ?? 24 * 60 * 60 * 1000,
    originOf,
    secret: randomBytes(32),
    webhooks,
    validateResponses,
    ...(emit ? { onJobPhase: jobEventSource(emit, () => clock.now(), (slug) => statusWords.get(slug)) } : {}),
  };
  const bodyLimit = options.bodyLimit ?? '25mb';
  bodyLimitBytes(bodyLimit); // a broken limit stops start-up here, naming the setting
  /** What `GET /`, the docs pages and the not-found answer tell a newcomer about each API. */
  const routed: Array<RoutedApi & { docsPath: string; keys: ShownKey[]; proxied: boolean }> = [];
  const contexts = new Map<string, ApiContextHandle<ApiKeyConfig>>();
  const apis: MountedApi[] = [];
  const faultTargets: FaultTarget[] = [];
  const inspected: InspectedApi[] = [];
  const faults = new FaultPlans(clock, faultTargets);
  const drift = new DriftReport(options.log);
  const recording = options.record === undefined ? undefined : new HarRecorder(options.record);
  for (const descriptor of options.registry ?? APIS) {
    const slug = descriptor.slug;
    const config = ((options.apis as Record<string, unknown> | undefined)?.[slug] ?? {}) as { keys?: ApiKeyConfig[] } | false;
    if (config === false) continue;
    const doc = descriptor.doc?.() ?? loadSpec(slug);
    const handle = createApiContext(slug, doc, config.keys ?? [...descriptor.devKeys], shared);
    const api = descriptor.create(config, handle.ctx);
    if (api.jobStatuses) statusWords.set(slug, api.jobStatuses);
    const mounted = { ...api, slug, doc, keys: handle.ctx.keys };
    const upstream = (options.upstreams as Record<string, string | undefined> | undefined)?.[slug];
    // A proxied API takes the caller's own key to the vendor: the mock's keys mean nothing there.
    const keys = upstream === undefined ? shownKeys(handle.ctx.keyConfigs, descriptor.devKeys) : [];
    const basePath = upstream !== undefined
      ? mountProxiedApi(app, mounted, {
          upstream: parseUpstream(slug, upstream),
          report: drift,
          clock,
          faultPlans: faults,
          bodyLimit,
          refuseInvalidRequests: options.proxy?.refuseInvalidRequests ?? false,
          timeoutMs: options.proxy?.timeoutMs ?? 120_000,
          maxCheckedBytes: options.proxy?.maxCheckedBytes ?? 32 * 1024 * 1024,
          recorder: recording,
        })
      : mountVendorApi(app, mounted, {
      clock,
      rateLimiter,
      faultPlans: faults,
      bodyLimit,
      validateResponses,
      authHint: acceptedKeysHint(keys),
      onViolation: recordViolation,
      onInternalError: (error, req) => {
        console.error(`[mock-server] ${req.method} ${req.originalUrl} failed inside the mock:`, error);
      },
      directRoutes,
    });
    contexts.set(slug, handle);
    // A proxied API's keys are the caller's real ones: masked wherever plans and fired faults are shown.
    faultTargets.push({ ...faultTargetOf(mounted), secretKeys: upstream !== undefined });
    apis.push({ slug, title: doc.info.title, basePath, docsPath: `/docs/${slug}`, devKeys: handle.ctx.keyConfigs });
    routed.push({ slug, title: doc.info.title, basePath, docsPath: `/docs/${slug}`, doc, keys, proxied: upstream !== undefined });
    inspected.push({
      slug,
      title: doc.info.title,
      basePath,
      keys: handle.ctx.keyConfigs,
      ...(api.jobStatuses ? { jobStatuses: api.jobStatuses } : {}),
      inspectJobs: (query) => handle.inspectJobs(query),
      money: () => handle.money(),
      outputImage: (jobId, index) => handle.outputImage(jobId, index),
    });
  }

  checkKeys(apis.map((api) => ({ slug: api.slug, keys: api.devKeys })));

  /** The keys an API accepts and a first request that works (`GET /`, its docs page); nothing for a proxied API. */
  const newcomer = (api: (typeof routed)[number], origin: string): { keys?: ShownKey[]; quickStart?: string } => {
    if (api.proxied) return {};
    const quickStart = quickStartCurl(api.doc, `${origin}${api.basePath}`, api.keys.find((shown) => !shown.masked)?.key);
    return { keys: api.keys, ...(quickStart === undefined ? {} : { quickStart }) };
  };
  mountDocs(app, options.docsDir ?? defaultDocsDir(), apis, originOf, (slug, origin) => {
    const api = routed.find((candidate) => candidate.slug === slug)!;
    if (api.proxied) return undefined;
    return quickStartMarkdown({ title: api.title, baseUrl: `${origin}${api.basePath}`, keys: api.keys, curl: newcomer(api, origin).quickStart });
  });
  app.use(WEBHOOK_ROUTES_PATH, webhookRoutes(webhooks, { apis: apis.map((api) => api.slug) }));
  app.use(FAULT_PLAN_ROUTES_PATH, faultPlanRoutes(faults));
  app.use(DRIFT_ROUTES_PATH, driftRoutes(drift));
  app.use(INFERENCE_ROUTES_PATH, inferenceRoutes([...contexts.values()].map((handle) => handle.ctx)));
  const inspectorPage = inspector
    ? inspectorRoutes({ clock, apis: inspected, requests, webhooks, faults, violations, rateLimiter, drift: () => drift.toJSON() })
    : undefined;
  if (inspectorPage) app.use(INSPECTOR_ROUTES_PATH, inspectorPage.router);

  app.get('/', (req, res) => {
    const origin = originOf(req);
    res.json({
      apis: routed.map((api) => ({
        slug: api.slug,
        title: api.title,
        baseUrl: `${origin}${api.basePath}`,
        docsUrl: `${origin}${api.docsPath}`,
        ...newcomer(api, origin),
      })),
      docsUrl: `${origin}/docs`,
    });
  });
  directRoutes?.install(app, beforeApis);
  const notMounted = unmountedPathHint(routed);
  app.use((req, res) => {
    const { message, didYouMean } = notMounted(req.path, originOf(req));
    noteAnswer(res, { reason: `not_found: ${message}` });
    res.status(404).json({ error: message, ...(didYouMean === undefined ? {} : { didYouMean }) });
  });

  return {
    app,
    clock,
    apis,
    violations,
    webhooks,
    faults,
    drift,
    recording,
    state(slug) {
      const handle = contexts.get(slug);
      if (!handle) throw new Error(`${slug} is not mounted; mounted: ${[...contexts.keys()].join(', ')}`);
      return handle.state();
    },
    reset() {
      faults.reset();
      drift.clear();
      for (const handle of contexts.values()) handle.reset();
      rateLimiter.reset();
      webhooks.reset();
      requests.clear();
      violations.length = 0;
    },
    close() {
      inspectorPage?.close();
      for (const handle of contexts.values()) handle.close();
      serverClock.close();
      return webhooks.close();
    },
  };
}

function defaultDocsDir(): string {
  return join(dirname(createRequire(import.meta.url).resolve('@imagegen/docs/package.json')), 'dist');
}
