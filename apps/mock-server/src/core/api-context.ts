import type { Request } from 'express';

import type { ApiKeyConfig, Principal, WorkspaceConfig } from './api-keys.js';
import { KeyRegistry } from './api-keys.js';
import { CallbackSchemaCheck } from './callback-check.js';
import type { CallbackSelector } from './callback-check.js';
import type { Clock } from './clock.js';
import { CreditLedger } from './credit-ledger.js';
import { ExpiringMap } from './expiring-map.js';
import { IdempotencyStore } from './idempotency-store.js';
import type { IdempotencyOptions } from './idempotency-store.js';
import type { PlaceholderImageRequest } from './images/placeholder-image.js';
import { watchJobPhases } from './job-events.js';
import type { Job, JobFailure, JobPhase, JobStoreOptions, TerminalPhase } from './job-store.js';
import { JOB_PHASES, JobStore } from './job-store.js';
import type { LedgerLine } from './credit-ledger.js';
import type { OpenApiDocument } from './spec-document.js';
import type { TimingMode } from './timing.js';
import { principalOf } from './vendor-api.js';
import type { WebhookDelivery, WebhookDispatcher, WebhookRequest } from './webhooks.js';

/**
 * What core lends one API: built once per mounted API by `createMockServer`, passed to its
 * descriptor's `create(config, ctx)`. Every store made through it is forgotten on `mock.reset()`
 * and stopped on `mock.close()` (timers cancelled), so a vendor folder writes no reset list and
 * nothing it owns fires after the server is closed.
 */
export interface ApiContext<TKey extends ApiKeyConfig = ApiKeyConfig> {
  /** The slug the API is mounted under (`/<slug>`). */
  readonly slug: string;
  /** Its spec, as loaded from `spec/<slug>/openapi.yaml` (a copy the API may read freely). */
  readonly doc: OpenApiDocument;
  readonly clock: Clock;
  /** How long jobs take (`jobTiming(ctx.timing, typicalMs)`). */
  readonly timing: TimingMode;
  /** How long a finished result stays downloadable, in ms. */
  readonly resultRetentionMs: number;
  /** How long a job id stays known after it finishes, in ms. */
  readonly jobRetentionMs: number;
  /** A random secret of this server, for signing presigned URLs. */
  readonly secret: Buffer;
  /** Whether answers and callbacks are checked against the spec. */
  readonly validateResponses: boolean;
  /** The keys the API accepts: `keys` from its config, else its dev keys. */
  readonly keys: KeyRegistry<TKey>;
  /** The same keys as configured, in order (printed at start-up). */
  readonly keyConfigs: readonly TKey[];
  /**
   * The server's own origin as clients reach it (`http://127.0.0.1:4010`): the configured public
   * URL, else the address the request arrived on. Never the request's Host header.
   */
  originOf(req: Request): string;
  /**
   * An absolute URL below this API's slug: `url(req, '/images/1.png')` is
   * `http://127.0.0.1:4010/<slug>/images/1.png`. Pass an origin kept from an earlier request
   * (`originOf(req)`) where no request is at hand, e.g. in a webhook payload.
   */
  url(from: Request | string, path: string): string;
  /** The authenticated caller of an operation that declares security, typed by this API's key config. */
  principalOf(req: Request): Principal<TKey>;
  /** A job store; retention defaults to the server's `resultRetentionMs` and `jobRetentionMs`. */
  jobs<TInput>(options?: Partial<JobStoreOptions> & JobInspectionOptions<TInput>): JobStore<TInput>;
  /**
   * Exact credit balances from the configured workspaces, in the unit the config writes them
   * (those without `credits` are unlimited); a workspace listed twice stops start-up. `unit` names
   * that unit for people (the inspector's money view). Default unit: `credits`.
   */
  credits(workspaces: readonly WorkspaceConfig[], options?: { unit?: string }): CreditLedger;
  /** An idempotency store keeping keys `idempotencyRetentionMs`; `conflict` is the vendor's own problem. */
  idempotency(options: Omit<IdempotencyOptions, 'ttlMs'>): IdempotencyStore;
  /** A map whose entries expire (`core/expiring-map.ts`), forgotten on reset. */
  expiringMap<K, V>(expiresAt: (value: V) => number): ExpiringMap<K, V>;
  /**
   * A sender for one callback the spec declares (`callbacks` or 3.1 `webhooks`, by name), its
   * payload checked against the spec's schema when responses are validated (compiled on first use).
   */
  callback(name: string, selector?: CallbackSelector): CallbackSender;
  /** Runs `forget` on `mock.reset()`, for state the stores above do not hold. */
  onReset(forget: () => void): void;
}

/** What the inspector may ask a job store about its jobs, beyond their phase and times. */
export interface JobInspectionOptions<TInput> {
  /**
   * The images a job produces (or would, had it succeeded), as the API renders them: the inspector
   * shows a small render of each (same seed, colours and label) as the job's thumbnails. Default:
   * none (the job has no images to show).
   */
  outputs?: (job: Job<TInput>) => readonly PlaceholderImageRequest[];
}

/** Sends one kind of callback through the server's webhook dispatcher. */
export interface CallbackSender {
  /**
   * Sends (in the background, with retries) `payload` to `url`. After the server is closed nothing
   * is sent: the delivery is recorded as refused, and nothing is thrown.
   */
  send(request: Pick<WebhookRequest, 'url' | 'payload' | 'headers' | 'signature'>): WebhookDelivery;
}

/** What every API's context shares, from `createMockServer`'s options. */
export interface SharedContext {
  clock: Clock;
  timing: TimingMode;
  resultRetentionMs: number;
  jobRetentionMs: number;
  idempotencyRetentionMs: number;
  originOf(req: Request): string;
  secret: Buffer;
  webhooks: WebhookDispatcher;
  validateResponses: boolean;
  /** Told of every phase each job enters (created, running, settled), for the job events. Default: none, and no timers. */
  onJobPhase?: (slug: string, job: Job<unknown>, phase: JobPhase) => void;
}

/** One job as `mock.state(slug)` shows it. */
export interface JobSnapshot {
  readonly id: string;
  /** The workspace that created it. */
  readonly owner: string;
  readonly phase: JobPhase;
  /** Credits taken at creation, in the API's unit (refunded ones included: see `balances`). */
  readonly charged: number;
  /** Epoch ms on the mock clock. */
  readonly createdAt: number;
  /** When it settles (or settled), epoch ms on the mock clock. */
  readonly settledAt: number;
}

/** A read-only view of one mounted API's state, for tests that check what was created and charged. */
export interface ApiState {
  /** Every job the API holds (expired ones excepted), oldest first. */
  readonly jobs: readonly JobSnapshot[];
  /**
   * Balance by workspace, in the unit the API's config writes (LumixAI credit micros, Lumen credits,
   * Luma US dollars), for workspaces with a configured balance (unlisted workspaces are unlimited
   * and absent). The ledger is exact; this is the nearest JS number.
   */
  readonly balances: Readonly<Record<string, number>>;
}

/** One job as the inspector shows it: its timeline on the mock clock and what it cost. */
export interface InspectedJob {
  readonly id: string;
  readonly owner: string;
  readonly phase: JobPhase;
  /** The phase it ends in (already, or at `settledAt`). */
  readonly outcome: TerminalPhase;
  readonly createdAt: number;
  readonly startedAt: number;
  readonly settledAt: number;
  readonly failure?: JobFailure;
  /** Exact, in the API's money unit. */
  readonly charged: string;
  /** How many images it produced; 0 until it has succeeded. */
  readonly outputs: number;
  /** What its images are labelled with (API, model, size, prompt start, id); empty when it has none. */
  readonly label: readonly string[];
}

/** Every job an API holds, counted by phase, and the most recent ones. */
export interface JobInspection {
  readonly total: number;
  readonly byPhase: Readonly<Record<JobPhase, number>>;
  /** Newest first, at most the `limit` asked for. */
  readonly recent: readonly InspectedJob[];
}

/** A context and the lifecycle core drives it through. */
export interface ApiContextHandle<TKey extends ApiKeyConfig> {
  ctx: ApiContext<TKey>;
  /** Forgets everything the API's stores hold. */
  reset(): void;
  /** Cancels every timer the API's stores hold; later callbacks are refused. Idempotent. */
  close(): void;
  state(): ApiState;
  /**
   * Counts every job by phase and keeps the newest `limit` (of `owners`' jobs, when given): one
   * pass over the jobs, nothing else copied, so it stays cheap with 100k jobs held.
   */
  inspectJobs(options: { limit: number; owners?: ReadonlySet<string> }): JobInspection;
  /** The image request of a job's `index`th output (for a thumbnail), while the job is held and succeeded. */
  outputImage(jobId: string, index: number): PlaceholderImageRequest | undefined;
  /** Each ledger the API keeps: its unit and every workspace's money. */
  money(): Array<{ unit: string; lines: LedgerLine[] }>;
}

export function createApiContext<TKey extends ApiKeyConfig>(
  slug: string,
  doc: OpenApiDocument,
  keyConfigs: readonly TKey[],
  shared: SharedContext,
): ApiContextHandle<TKey> {
  const resets: Array<() => void> = [];
  const closers: Array<() => void> = [];
  const jobStores: Array<{ store: JobStore<unknown>; outputs?: (job: Job<unknown>) => readonly PlaceholderImageRequest[] }> = [];
  const ledgers: CreditLedger[] = [];
  let callbackCheck: CallbackSchemaCheck | undefined;
  let closed = false;
  const prefix = `/${slug}`;

  const ctx: ApiContext<TKey> = {
    slug,
    doc,
    clock: shared.clock,
    timing: shared.timing,
    resultRetentionMs: shared.resultRetentionMs,
    jobRetentionMs: shared.jobRetentionMs,
    secret: shared.secret,
    validateResponses: shared.validateResponses,
    keys: new KeyRegistry(keyConfigs),
    keyConfigs,
    originOf: shared.originOf,
    url: (from, path) => `${typeof from === 'string' ? from : shared.originOf(from)}${prefix}${path}`,
    // The registry the pipeline looked the key up in is this one, so the principal holds a TKey.
    principalOf: (req) => principalOf(req) as Principal<TKey>,
    jobs<TInput>(options: Partial<JobStoreOptions> & JobInspectionOptions<TInput> = {}) {
      const store = new JobStore<TInput>(shared.clock, {
        resultRetentionMs: options.resultRetentionMs ?? shared.resultRetentionMs,
        jobRetentionMs: options.jobRetentionMs ?? shared.jobRetentionMs,
      });
      jobStores.push({ store: store as JobStore<unknown>, outputs: options.outputs as ((job: Job<unknown>) => readonly PlaceholderImageRequest[]) | undefined });
      resets.push(() => store.clear());
      closers.push(() => store.stop());
      const { onJobPhase } = shared;
      if (onJobPhase) {
        const watch = watchJobPhases(store, shared.clock, (job, phase) => onJobPhase(slug, job as Job<unknown>, phase));
        resets.push(watch.reset);
        closers.push(watch.stop);
      }
      return store;
    },
    credits(workspaces, options = {}) {
      const ledger = CreditLedger.fromWorkspaces(slug, workspaces);
      if (options.unit !== undefined) ledger.unit = options.unit;
      ledgers.push(ledger);
      resets.push(() => ledger.reset());
      return ledger;
    },
    idempotency(options) {
      const store = new IdempotencyStore(shared.clock, { ...options, ttlMs: shared.idempotencyRetentionMs });
      resets.push(() => store.clear());
      return store;
    },
    expiringMap<K, V>(expiresAt: (value: V) => number) {
      const map = new ExpiringMap<K, V>(shared.clock, expiresAt);
      resets.push(() => map.clear());
      return map;
    },
    callback(name, selector) {
      let validate: ((payload: unknown) => string | undefined) | undefined;
      // Compiled on the first callback, not at start-up: most servers never send one.
      const check = (payload: unknown) => (validate ??= (callbackCheck ??= new CallbackSchemaCheck(doc)).validator(name, selector))(payload);
      return {
        send(request) {
          const full: WebhookRequest = { api: slug, ...request, validate: shared.validateResponses ? check : undefined };
          if (closed) return shared.webhooks.refuse(full, 'the mock server was closed before this callback was due');
          return shared.webhooks.deliver(full);
        },
      };
    },
    onReset(forget) {
      resets.push(forget);
    },
  };

  return {
    ctx,
    reset() {
      for (const forget of resets) forget();
    },
    close() {
      closed = true;
      for (const stop of closers) stop();
    },
    state() {
      const jobs = jobStores.flatMap(({ store }) =>
        [...store.all()].map((job): JobSnapshot => ({
          id: job.id,
          owner: job.owner,
          phase: store.phase(job),
          charged: job.charged.toNumber(),
          createdAt: job.createdAt,
          settledAt: job.settledAt,
        })),
      );
      const balances: Record<string, number> = {};
      for (const ledger of ledgers) for (const [workspace, balance] of ledger.balances()) balances[workspace] = balance.toNumber();
      return { jobs, balances };
    },
    inspectJobs({ limit, owners }) {
      const byPhase = Object.fromEntries(JOB_PHASES.map((phase) => [phase, 0])) as Record<JobPhase, number>;
      type Seen = { job: Job<unknown>; phase: JobPhase; store: (typeof jobStores)[number] };
      const candidates: Seen[] = [];
      let total = 0;
      for (const entry of jobStores) {
        // The newest `limit` of this store, as a ring: a store holds its jobs oldest first.
        const ring: Seen[] = [];
        let next = 0;
        for (const job of entry.store.all()) {
          if (owners && !owners.has(job.owner)) continue;
          const phase = entry.store.phase(job);
          byPhase[phase] += 1;
          total += 1;
          if (limit === 0) continue;
          ring[next] = { job, phase, store: entry };
          next = (next + 1) % limit;
        }
        candidates.push(...ring.slice(next), ...ring.slice(0, next));
      }
      const newestFirst = candidates.reverse();
      if (jobStores.length > 1) newestFirst.sort((a, b) => b.job.createdAt - a.job.createdAt);
      newestFirst.length = Math.min(newestFirst.length, limit);
      const recent = newestFirst.map(({ job, phase, store }): InspectedJob => {
        const images = store.outputs?.(job) ?? [];
        return {
          id: job.id,
          owner: job.owner,
          phase,
          outcome: job.outcome,
          createdAt: job.createdAt,
          startedAt: job.startedAt,
          settledAt: job.settledAt,
          ...(job.failure === undefined ? {} : { failure: { ...job.failure } }),
          charged: job.charged.toString(),
          outputs: phase === 'succeeded' ? images.length : 0,
          label: images[0]?.label ?? [],
        };
      });
      return { total, byPhase, recent };
    },
    outputImage(jobId, index) {
      for (const { store, outputs } of jobStores) {
        const job = store.find(jobId);
        if (job && store.phase(job) === 'succeeded') return outputs?.(job)[index];
      }
      return undefined;
    },
    money() {
      return ledgers.map((ledger) => ({ unit: ledger.unit, lines: ledger.statement() }));
    },
  };
}
