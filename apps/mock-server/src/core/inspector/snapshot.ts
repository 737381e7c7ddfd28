import type { ApiKeyConfig } from '../api-keys.js';
import type { InspectedJob, JobInspection } from '../api-context.js';
import type { LedgerLine } from '../credit-ledger.js';
import type { Clock } from '../clock.js';
import { isMaskedKey } from '../fault-plans.js';
import type { FaultPlans } from '../fault-plans.js';
import type { PlaceholderImageRequest } from '../images/placeholder-image.js';
import type { JobPhase } from '../job-store.js';
import type { ResponseViolation } from '../pipeline/error-answer.js';
import { rateWindowsOf } from '../pipeline/rate-limit.js';
import type { RateLimiter } from '../rate-limiter.js';
import { maskJson, maskJsonText, maskSecret, maskUrls, maskHeaders } from '../secrets.js';
import type { WebhookDelivery, WebhookDispatcher } from '../webhooks.js';
import { WEBHOOK_STATUSES } from '../webhooks.js';
import type { KeptRequest, RequestLog, RequestSummary } from './request-log.js';
import { cut } from './request-log.js';

/** One mounted API as the inspector reads it: what it is, and where its state lives. */
export interface InspectedApi {
  slug: string;
  title: string;
  basePath: string;
  keys: readonly ApiKeyConfig[];
  /** The vendor's word for each job phase. */
  jobStatuses?: Partial<Record<JobPhase, string>>;
  inspectJobs(options: { limit: number; owners?: ReadonlySet<string> }): JobInspection;
  money(): Array<{ unit: string; lines: LedgerLine[] }>;
  /** The image request of a succeeded job's `index`th image, for its thumbnail. */
  outputImage(jobId: string, index: number): PlaceholderImageRequest | undefined;
}

/** Everything the inspector shows, from the mock server's own parts. */
export interface InspectorSources {
  clock: Clock;
  apis: readonly InspectedApi[];
  requests: RequestLog;
  webhooks: WebhookDispatcher;
  faults: FaultPlans;
  violations: readonly ResponseViolation[];
  rateLimiter: RateLimiter;
  /** Proxy mode: the drift report's counts (`injected`: faults the proxy put in the vendor's answers). */
  drift: () => { drift: unknown[]; invalidRequests: unknown[]; injected?: Array<{ count: number }> };
}

/** What a page or a JSON answer is narrowed to. */
export interface InspectorFilter {
  /** One API's slug; undefined for all. */
  api?: string;
  /** One key, as the inspector masks it (`sk-lum…ev`); undefined for all. */
  key?: string;
  /** Rows per list (requests, jobs, webhooks, faults fired). */
  limit: number;
}

/** Default and largest {@link InspectorFilter.limit}. */
export const DEFAULT_ROWS = 25;
export const MAX_ROWS = 200;

export type JobView = Omit<InspectedJob, 'label'> & {
  /** The vendor's word for `phase`. */
  status: string;
  /** What the job was asked for, from its images' label (model, size, prompt start, id). */
  label: readonly string[];
  /** Thumbnail URLs of its images (below `/_mock/`), once it has succeeded. */
  thumbnails: string[];
  unit: string | null;
};

export interface ApiView {
  slug: string;
  title: string;
  basePath: string;
  keys: Array<{ key: string; workspace: string; description: string | null; revoked: boolean }>;
  requests: { kept: number; capacity: number; recent: RequestSummary[] };
  jobs: { total: number; byPhase: Record<string, number>; recent: JobView[] };
  money: Array<{ unit: string; workspaces: MoneyLine[] }>;
  rateLimits: Array<{ who: string; limit: number; remaining: number; resetAt: number }>;
}

export type { RequestSummary };

export interface MoneyLine {
  workspace: string;
  initial: string | null;
  balance: string | null;
  charged: string;
  refunded: string;
  charges: number;
  refunds: number;
}

export interface DeliveryView {
  id: string;
  api: string;
  url: string;
  status: string;
  reason: string | null;
  violation: string | null;
  createdAt: number;
  settledAt: number | null;
  nextAttemptAt: number | null;
  /** The body sent, secrets masked, cut short. */
  payload: string;
  attempts: Array<{
    number: number;
    startedAt: number;
    finishedAt: number | null;
    outcome: string | null;
    httpStatus: number | null;
    error: string | null;
    responseBody: string | null;
    requestHeaders: Record<string, string>;
    signatureValid: boolean | null;
  }>;
  signature: { header: string; scheme: string; secret: string; verified: boolean } | null;
}

export interface InspectorSnapshot {
  /** The mock clock, epoch ms. */
  now: number;
  filter: { api: string | null; key: string | null; limit: number };
  apis: ApiView[];
  webhooks: { total: number; byStatus: Record<string, number>; recent: DeliveryView[] };
  faults: {
    armed: Array<Record<string, unknown>>;
    fired: Array<Record<string, unknown>>;
    firedTotal: number;
    /** Kept requests whose `Prefer` header asked for an answer, a fault or a job outcome, and what took effect. */
    preferred: Array<{ api: string; request: string; method: string; path: string; at: number; prefer: string; applied: string | null; status: number | null }>;
  };
  violations: ResponseViolation[];
  /** `injected`: answers the proxy changed on purpose (a job outcome armed in front of the vendor), never drift. */
  drift: { differences: number; invalidRequests: number; injected: number };
}

/** A plan's or fired fault's key: the fault plans already mask a proxied API's keys (`…6789 sha256:…`). */
const maskPlanKey = (key: string) => (isMaskedKey(key) ? key : maskSecret(key));

/** The snapshot the page and `GET /_mock/` (as JSON) show, narrowed by `filter`. */
export function inspectorSnapshot(sources: InspectorSources, filter: InspectorFilter): InspectorSnapshot {
  const apis = sources.apis.filter((api) => filter.api === undefined || api.slug === filter.api);
  const keyMatches = (raw: string | undefined) => filter.key === undefined || (raw !== undefined && maskPlanKey(raw) === filter.key);
  const deliveries = sources.webhooks.list(filter.api === undefined ? {} : { api: filter.api });
  const byStatus = Object.fromEntries(WEBHOOK_STATUSES.map((status) => [status, 0]));
  for (const delivery of deliveries) byStatus[delivery.status] = (byStatus[delivery.status] ?? 0) + 1;
  const fired = sources.faults.fired().filter((fault) => (filter.api === undefined || fault.api === filter.api) && keyMatches(fault.key));
  const drift = sources.drift();
  return {
    now: sources.clock.now(),
    filter: { api: filter.api ?? null, key: filter.key ?? null, limit: filter.limit },
    apis: apis.map((api) => apiView(api, sources, filter)),
    webhooks: {
      total: deliveries.length,
      byStatus,
      recent: deliveries.slice(-filter.limit).reverse().map((delivery) => deliveryView(delivery, sources.webhooks)),
    },
    faults: {
      armed: sources.faults
        .list()
        .filter((plan) => (filter.api === undefined || plan.api === filter.api) && (plan.key === undefined || keyMatches(plan.key)))
        .map(({ key, ...plan }) => ({ ...plan, ...(key === undefined ? {} : { key: maskPlanKey(key) }) })),
      fired: fired.slice(-filter.limit).reverse().map(({ key, path, ...fault }) => ({ ...fault, path: maskUrls(path), ...(key === undefined ? {} : { key: maskPlanKey(key) }) })),
      firedTotal: fired.length,
      preferred: apis.flatMap((api) => preferredFaults(sources.requests.recent(api.slug), filter)).sort((a, b) => b.at - a.at).slice(0, filter.limit),
    },
    violations: sources.violations.filter((violation) => filter.api === undefined || violation.api === filter.api).map((violation) => ({ ...violation, path: maskUrls(violation.path) })),
    drift: { differences: drift.drift.length, invalidRequests: drift.invalidRequests.length, injected: (drift.injected ?? []).reduce((sum, entry) => sum + entry.count, 0) },
  };
}

function apiView(api: InspectedApi, sources: InspectorSources, filter: InspectorFilter): ApiView {
  const keys = api.keys.map((config) => ({ config, masked: maskSecret(config.key), workspace: config.workspace ?? config.key }));
  // A key without a `workspace` is its own workspace, named after the key: that name is masked like the key.
  const namedAfterKeys = new Set(api.keys.filter((config) => config.workspace === undefined).map((config) => config.key));
  const maskWorkspace = (workspace: string) => (namedAfterKeys.has(workspace) ? maskSecret(workspace) : workspace);
  const chosen = filter.key === undefined ? undefined : keys.filter((key) => key.masked === filter.key);
  const owners = chosen && new Set(chosen.map((key) => key.workspace));
  const requests = sources.requests.recent(api.slug).filter((kept) => filter.key === undefined || kept.summary.key === filter.key);
  const jobs = api.inspectJobs({ limit: filter.limit, ...(owners ? { owners } : {}) });
  const money = api.money();
  const unit = money[0]?.unit ?? null;
  return {
    slug: api.slug,
    title: api.title,
    basePath: api.basePath,
    keys: keys.map(({ config, masked, workspace }) => ({ key: masked, workspace: maskWorkspace(workspace), description: config.description ?? null, revoked: config.revoked === true })),
    requests: {
      kept: requests.length,
      capacity: sources.requests.capacity,
      recent: requests.slice(0, filter.limit).map((kept) => sources.requests.summaryOf(kept)),
    },
    jobs: {
      total: jobs.total,
      byPhase: { ...jobs.byPhase },
      recent: jobs.recent.map((job) => ({
        ...job,
        owner: maskWorkspace(job.owner),
        status: api.jobStatuses?.[job.phase] ?? job.phase,
        thumbnails: Array.from({ length: job.outputs }, (_, index) => `/_mock/thumbnails/${encodeURIComponent(api.slug)}/${encodeURIComponent(job.id)}/${index}`),
        unit,
      })),
    },
    money: money.map((ledger) => ({
      unit: ledger.unit,
      workspaces: ledger.lines
        .filter((line) => !owners || owners.has(line.workspace))
        .map((line) => ({
          workspace: maskWorkspace(line.workspace),
          initial: line.initial?.toString() ?? null,
          balance: line.balance?.toString() ?? null,
          charged: line.charged.toString(),
          refunded: line.refunded.toString(),
          charges: line.charges,
          refunds: line.refunds,
        })),
    })),
    rateLimits: rateWindowsOf(sources.rateLimiter, api.slug)
      .filter((window) => filter.key === undefined || keyMatches(window.key))
      .map(({ key, address, limit, remaining, resetAt }) => ({ who: key !== undefined ? `key ${maskSecret(key)}` : `address ${address ?? '?'} (no valid key)`, limit, remaining, resetAt })),
  };

  function keyMatches(raw: string | undefined) {
    return raw !== undefined && maskSecret(raw) === filter.key;
  }
}


function deliveryView(delivery: WebhookDelivery, webhooks: WebhookDispatcher): DeliveryView {
  const signature = webhooks.verifySignature(delivery);
  const valid = new Map(signature?.attempts.map((attempt) => [attempt.number, attempt.valid]));
  return {
    id: delivery.id,
    api: delivery.api,
    url: maskUrls(delivery.url),
    status: delivery.status,
    reason: delivery.reason ?? null,
    violation: delivery.violation ?? null,
    createdAt: delivery.createdAt,
    settledAt: delivery.settledAt ?? null,
    nextAttemptAt: delivery.nextAttemptAt ?? null,
    payload: cut(JSON.stringify(maskJson(delivery.payload)) ?? ''),
    attempts: delivery.attempts.map((attempt) => ({
      number: attempt.number,
      startedAt: attempt.startedAt,
      finishedAt: attempt.finishedAt ?? null,
      outcome: attempt.outcome ?? null,
      httpStatus: attempt.httpStatus ?? null,
      error: attempt.error ?? null,
      responseBody: attempt.responseBody === undefined ? null : cut(maskJsonText(attempt.responseBody)),
      requestHeaders: maskHeaders(attempt.requestHeaders),
      signatureValid: signature ? (valid.get(attempt.number) ?? false) : null,
    })),
    signature: signature
      ? { header: signature.header, scheme: signature.scheme, secret: signature.secret, verified: signature.attempts.length > 0 && signature.attempts.every((attempt) => attempt.valid) }
      : null,
  };
}

/** `Prefer` controls that change what happens (not `wait` or `respond-async`, which are the vendor's own). */
const FAULT_PREFERENCES = /(^|[\s,;])(code|fault|latency|job-status|job-error|job-error-code)=/i;

function preferredFaults(kept: readonly KeptRequest[], filter: InspectorFilter): InspectorSnapshot['faults']['preferred'] {
  return kept.flatMap(({ summary, requestHeaders, answerHeaders }) => {
    const sent = requestHeaders.prefer;
    const prefer = Array.isArray(sent) ? sent.join(', ') : sent;
    if (prefer === undefined || !FAULT_PREFERENCES.test(prefer) || (filter.key !== undefined && summary.key !== filter.key)) return [];
    const applied = answerHeaders['preference-applied'];
    return [{ api: summary.api, request: summary.id, method: summary.method, path: summary.path, at: summary.at, prefer, applied: applied === undefined ? null : String(applied), status: summary.status }];
  });
}
