import type {
  AspectRatio,
  Generation,
  GenerationCreateRequest,
  GenerationFailureCode,
  GenerationState,
  GenerationType,
  Model,
  OutputFormat,
  Style,
  operations,
} from './spec-types.js';
import type { Request } from 'express';

import type { ApiContext } from '../../core/api-context.js';
import type { ApiKeyConfig, Principal, WorkspaceConfig } from '../../core/api-keys.js';
import { Amount } from '../../core/credit-ledger.js';
import { PLACEHOLDER_CONTENT_TYPE, PlaceholderImageCache, placeholderLabel } from '../../core/images/placeholder-image.js';
import type { PlaceholderImageRequest } from '../../core/images/placeholder-image.js';
import { isoTime } from '../../core/iso-time.js';
import type { Job, JobPhase } from '../../core/job-store.js';
import { PresignedUrlSigner } from '../../core/presigned-url.js';
import type { PresignedUrlRefusal } from '../../core/presigned-url.js';
import { problem } from '../../core/problems.js';
import { deref } from '../../core/spec-document.js';
import { jobTiming } from '../../core/timing.js';
import type { OperationHandler, VendorApi } from '../../core/vendor-api.js';
import { contextOf, jobOutcomeRewrite, outcomeFor } from '../../core/vendor-api.js';
import { checkInputImages } from './input-images.js';
import { lumaAgentsErrorFormat } from './luma-agents-errors.js';
import { combinationProblems, inputImages, readRequestLimits } from './request-rules.js';

/** A Luma Agents key: the shared fields plus Luma's per-client limits and account state. */
export interface LumaAgentsKeyConfig extends Omit<ApiKeyConfig, 'models'> {
  /** `POST /generations` per minute before `429` with Retry-After. Default: no limit. */
  rpm?: number;
  /** Unfinished (queued or processing) generations at a time before `429`. Default: no limit. */
  concurrent?: number;
  /** A suspended or deactivated API client: every call answers `403`. Default: `false`. */
  suspended?: boolean;
}

/** Settings of the Luma Agents mock; every field has a default. */
export interface LumaAgentsMockConfig {
  /** Accepted Bearer keys. Default: {@link LUMA_AGENTS_DEV_KEYS}. */
  keys?: LumaAgentsKeyConfig[];
  /** Starting balances in US dollars; workspaces not listed are unlimited. Default: only `ws_no_balance`, at 0. */
  workspaces?: WorkspaceConfig[];
  /** Largest decoded inline input image before `413`. Default: 50 MB, Luma's documented limit. */
  maxImageBytes?: number;
}

/** Dev keys, printed at start-up; each shows one documented behaviour. */
export const LUMA_AGENTS_DEV_KEYS: readonly LumaAgentsKeyConfig[] = [
  { key: 'luma-api-mock-dev', description: 'unlimited balance, no rate limit' },
  { key: 'luma-api-mock-no-balance', workspace: 'ws_no_balance', description: 'account without balance (402)' },
  { key: 'luma-api-mock-suspended', suspended: true, description: 'suspended API client (403 on every call)' },
  { key: 'luma-api-mock-rpm-2', rpm: 2, description: '2 generations per minute (429 with Retry-After)' },
  { key: 'luma-api-mock-concurrent-1', concurrent: 1, description: 'one unfinished generation at a time (429 with Retry-After)' },
];
const LUMA_AGENTS_DEV_WORKSPACES: readonly WorkspaceConfig[] = [{ id: 'ws_no_balance', credits: 0 }];

/** "Image exceeds 50 MB" (Luma's error-handling guide). */
const DEFAULT_MAX_IMAGE_BYTES = 50 * 1024 * 1024;
/** "Presigned URL (1hr expiry)": every poll hands out URLs valid this long. */
const OUTPUT_URL_TTL_MS = 60 * 60 * 1000;
/** The longer side of every output; the shorter follows aspect_ratio. Luma states no pixel size; 2K is what its resellers list. */
const OUTPUT_LONG_SIDE = 2048;
/**
 * What the mock picks where the request leaves it to the model: a square PNG. Luma's guide says the
 * model chooses an aspect ratio that suits the prompt and leaves the format unset; a fixed choice
 * keeps the mock deterministic.
 */
const DEFAULT_ASPECT_RATIO: AspectRatio = '1:1';
const DEFAULT_OUTPUT_FORMAT: OutputFormat = 'png';
const FILE_EXTENSION = { png: 'png', jpeg: 'jpg' } as const satisfies Record<OutputFormat, string>;

/**
 * What Luma does not state on the reference page, filled in per model: the typical time of a
 * generation (used by `--timing realistic`) and the price in US dollars per image and per input
 * image (reference or source), from the public price lists of Luma's resellers.
 */
const MODEL_PROFILE = {
  'uni-1': { typicalMs: 30_000, usd: 0.0404, usdPerInputImage: 0.003 },
  'uni-1-max': { typicalMs: 60_000, usd: 0.1, usdPerInputImage: 0.003 },
} as const satisfies Record<Model, { typicalMs: number; usd: number; usdPerInputImage: number }>;

/** The failure_reason a failure code gets when a test names none: the guide's description of it. */
const FAILURE_REASONS = {
  content_moderated: 'The prompt or an input image violated the content guidelines',
  generation_failed: 'Internal model error during generation',
  budget_exhausted: 'The account ran out of funds mid-generation',
  output_not_found: 'The generated output could not be retrieved',
  image_too_large: 'An input image exceeded the size limit',
  unsupported_format: 'An input media file was in an unsupported format',
  corrupt_input: 'An input media file could not be decoded',
  invalid_request: 'The request was rejected during processing',
  rate_limited: 'The generation was rate limited upstream',
} as const satisfies Record<GenerationFailureCode, string>;
const DEFAULT_FAILURE_CODE: GenerationFailureCode = 'generation_failed';

/** Luma's names for the shared job phases. Generations cannot be cancelled. */
const STATE_BY_PHASE = {
  queued: 'queued',
  running: 'processing',
  succeeded: 'completed',
  failed: 'failed',
} as const satisfies Record<Exclude<JobPhase, 'cancelled'>, GenerationState>;

function stateOf(phase: JobPhase): GenerationState {
  if (phase === 'cancelled') throw new Error('Luma Agents generations are never cancelled');
  return STATE_BY_PHASE[phase];
}

/** What a generation was asked for, fixed at creation so every download gives the same bytes. */
interface LumaGenerationInput {
  model: Model;
  type: GenerationType;
  style: Style;
  prompt: string;
  format: OutputFormat;
  width: number;
  height: number;
  /** Stored as the API does (for its usage breakdowns); no answer of the mock echoes it. */
  userId: string | undefined;
}

/** `3:2` -> 2048x1365: the longer side is {@link OUTPUT_LONG_SIDE}. */
function outputSize(ratio: AspectRatio): { width: number; height: number } {
  const [w, h] = ratio.split(':').map(Number) as [number, number];
  const scale = OUTPUT_LONG_SIDE / Math.max(w, h);
  return { width: Math.round(w * scale), height: Math.round(h * scale) };
}

export function createLumaAgentsMock(config: LumaAgentsMockConfig, ctx: ApiContext<LumaAgentsKeyConfig>): VendorApi<LumaAgentsKeyConfig> {
  const { doc, principalOf } = ctx;
  const requestSchema = (deref<{ content: Record<string, { schema: unknown }> }>(doc, doc.components!.requestBodies!.GenerationCreateRequest)).content['application/json']!.schema;
  const limits = readRequestLimits(doc, requestSchema);
  // The spec's defaults, for fields the request leaves out (the validator fills them in as well).
  const properties = deref<{ properties: Record<string, { default?: unknown }> }>(doc, requestSchema).properties;
  const defaultOf = <T>(field: string): T => {
    const value = properties[field]?.default;
    if (value === undefined) throw new Error(`spec/luma-agents: the request's ${field} has no default`);
    return value as T;
  };
  const defaultModel = defaultOf<Model>('model');
  const defaultStyle = defaultOf<Style>('style');
  const defaultType = defaultOf<GenerationType>('type');
  const failureCodes = deref<{ enum: GenerationFailureCode[] }>(doc, { $ref: '#/components/schemas/GenerationFailureCode' }).enum;

  const maxImageBytes = config.maxImageBytes ?? DEFAULT_MAX_IMAGE_BYTES;
  // Balances in US dollars, exact: charges of $0.0404 add up.
  const balances = ctx.credits(config.workspaces ?? LUMA_AGENTS_DEV_WORKSPACES, { unit: 'USD' });
  // Outputs stay downloadable as long as the generation is known: each poll hands out a fresh URL.
  const jobs = ctx.jobs<LumaGenerationInput>({ resultRetentionMs: ctx.jobRetentionMs, outputs: (job) => [imageOf(job)] });
  // A failed generation produced no image, so its charge goes back.
  jobs.onSettled((job) => {
    if (job.outcome === 'failed') balances.refund(job.owner, job.charged);
  });
  /** When each key's unfinished generations settle, for the concurrent-jobs limit. */
  const unfinished = new Map<string, number[]>();
  ctx.onReset(() => unfinished.clear());
  const signer = new PresignedUrlSigner(ctx.secret, ctx.clock);
  const images = new PlaceholderImageCache();

  const outputFile = (job: Job<LumaGenerationInput>) => `0.${FILE_EXTENSION[job.input.format]}`;
  // The path alone (an empty origin): the signature covers it, and each answer adds the origin.
  const outputPath = (job: Job<LumaGenerationInput>) => ctx.url('', `/storage/generations/${job.id}/${outputFile(job)}`);

  function refuseSuspended(principal: Principal<LumaAgentsKeyConfig>): void {
    if (principal.config.suspended) {
      throw problem('permission_denied', 'Access denied: this API client is suspended; contact support');
    }
  }

  /** "Maximum number of active (non-terminal) generations at any time", per API client. */
  function takeConcurrencySlot(principal: Principal<LumaAgentsKeyConfig>, settledAt: () => number): void {
    const limit = principal.config.concurrent;
    if (limit === undefined) return;
    const now = ctx.clock.now();
    const active = (unfinished.get(principal.key) ?? []).filter((at) => at > now);
    if (active.length >= limit) {
      const retryAfterSeconds = Math.max(1, Math.ceil((Math.min(...active) - now) / 1000));
      throw problem('rate_limited', `Too many concurrent jobs: ${active.length} of at most ${limit} generations are unfinished; retry in ${retryAfterSeconds} s`, {
        retryAfterSeconds,
      });
    }
    active.push(settledAt());
    unfinished.set(principal.key, active);
  }

  function priceOf(model: Model, inputImageCount: number): Amount {
    const profile = MODEL_PROFILE[model];
    return Amount.of(profile.usdPerInputImage).times(inputImageCount).plus(profile.usd);
  }

  function generationView(req: Request, job: Job<LumaGenerationInput>, phase: JobPhase): Generation {
    const view: Generation = {
      id: job.id,
      created_at: isoTime(job.createdAt),
      model: job.input.model,
      state: stateOf(phase),
      type: job.input.type,
    };
    if (phase === 'succeeded') {
      view.output = [{ type: 'image', url: `${ctx.originOf(req)}${signer.sign(outputPath(job), OUTPUT_URL_TTL_MS)}` }];
    }
    if (phase === 'failed') {
      view.failure_code = (job.failure?.code ?? DEFAULT_FAILURE_CODE) as GenerationFailureCode;
      view.failure_reason = job.failure?.message ?? FAILURE_REASONS[DEFAULT_FAILURE_CODE];
    }
    return view;
  }

  const handlers = {
    createGeneration(req, res) {
      const principal = principalOf(req);
      refuseSuspended(principal);
      const body = req.body as GenerationCreateRequest;
      const rejected = combinationProblems(body, limits);
      if (rejected.length > 0) throw problem('unprocessable', rejected.join('; '));
      checkInputImages(inputImages(body), maxImageBytes);

      const model = body.model ?? defaultModel;
      const price = priceOf(model, inputImages(body).length);
      if (!balances.canPay(principal.workspace, price)) {
        // Dollars as Luma's price list writes them: at least four decimals ($0.0404).
        const balance = balances.balance(principal.workspace) ?? Amount.ZERO;
        throw problem('insufficient_credits', `Insufficient balance: this ${model} generation costs $${price.toString(4)} and the balance is $${balance.toString(4)}`);
      }
      const timing = jobTiming(ctx.timing, MODEL_PROFILE[model].typicalMs);
      takeConcurrencySlot(principal, () => ctx.clock.now() + timing.queuedMs + timing.runningMs);
      balances.charge(principal.workspace, price);

      const requested = contextOf(req).requestedOutcome?.failure?.code as GenerationFailureCode | undefined;
      const failureCode = requested ?? DEFAULT_FAILURE_CODE;
      const { width, height } = outputSize(body.aspect_ratio ?? DEFAULT_ASPECT_RATIO);
      const job = jobs.create({
        owner: principal.workspace,
        input: {
          model,
          type: body.type ?? defaultType,
          style: body.style ?? defaultStyle,
          prompt: body.prompt,
          format: body.output_format ?? DEFAULT_OUTPUT_FORMAT,
          width,
          height,
          userId: body.user_id,
        },
        timing,
        ...outcomeFor(req, { code: failureCode, message: FAILURE_REASONS[failureCode] }),
        charged: price,
      });
      // "Returns immediately": the answer is the queued generation, however fast the job runs.
      res.status(201).json(generationView(req, job, 'queued'));
    },

    getGeneration(req, res) {
      const principal = principalOf(req);
      refuseSuspended(principal);
      const id = String(req.params.id);
      const job = jobs.get(id, principal.workspace);
      if (!job) throw problem('not_found', `Generation ${id} not found`);
      res.json(generationView(req, job, jobs.phase(job)));
    },
  } satisfies { [OperationId in keyof operations]: OperationHandler };

  const REFUSALS: Record<PresignedUrlRefusal, (expiresAt: number | undefined) => string> = {
    missing: () => 'Access denied: this output URL is not signed; use the URL a poll of the generation hands out',
    signature: () => 'Access denied: the request signature does not match (the URL was altered or not issued by this server)',
    expired: (expiresAt) =>
      `Access denied: request has expired (this output URL expired at ${new Date(expiresAt ?? 0).toISOString()}); poll the generation again for a fresh URL`,
  };

  /** The presigned output URL: no Authorization, the signature is the credential. */
  const downloadOutput: OperationHandler = async (req, res) => {
    const verdict = signer.verify(req.path, req.query as Record<string, unknown>);
    if (!verdict.ok) throw problem('permission_denied', REFUSALS[verdict.reason](verdict.expiresAt));
    const job = jobs.find(String(req.params.id));
    if (!job || jobs.phase(job) !== 'succeeded' || req.params.file !== outputFile(job)) {
      throw problem('not_found', `No output at ${req.path}`);
    }
    const { format } = job.input;
    const bytes = await images.render(imageOf(job));
    const maxAge = Math.max(0, Math.floor((verdict.expiresAt - ctx.clock.now()) / 1000));
    res
      .status(200)
      .set({ 'Content-Type': PLACEHOLDER_CONTENT_TYPE[format], 'Content-Length': String(bytes.length), 'Cache-Control': `private, max-age=${maxAge}` })
      .end(bytes);
  };

  return {
    errors: lumaAgentsErrorFormat(doc, limits),
    handlers,
    routes: [{ method: 'GET', path: '/storage/generations/{id}/{file}', handler: downloadOutput }],
    jobStatuses: STATE_BY_PHASE,
    failureCodes,
    // In front of the real Luma Agents: its generation read as failed with a documented code, outputs gone.
    jobOutcomeAnswer: jobOutcomeRewrite(
      'getGeneration',
      (requested) => {
        const code = (requested.failure?.code ?? DEFAULT_FAILURE_CODE) as GenerationFailureCode;
        return { code, message: FAILURE_REASONS[code] };
      },
      ({ output: _output, ...generation }, settled) =>
        settled.outcome === 'failed' ? { ...generation, state: STATE_BY_PHASE.failed, failure_code: settled.failure?.code, failure_reason: settled.failure?.message } : undefined,
    ),
    expiredOutput: { kind: 'permission_denied', message: 'Access denied: request has expired; poll the generation again for a fresh URL' },
    // Luma's limits apply to POST /v1/generations only: the operations whose spec documents a 429.
    rateLimit: {
      windowMs: 60_000,
      limitOf: (principal, operation) => (operation.statuses.includes('429') ? principal.config.rpm : undefined),
    },
  };
}

/** The image a generation renders, as downloaded and as the inspector's thumbnail shows it. */
function imageOf(job: Job<LumaGenerationInput>): PlaceholderImageRequest {
  const { model, type, style, prompt, format, width, height } = job.input;
  return {
    format,
    width,
    height,
    seed: `${model}\n${type}\n${style}\n${prompt}\n${job.id}`,
    label: placeholderLabel({ api: 'Luma Agents', model, width, height, prompt, id: job.id }),
    provenance: { api: 'luma-agents', jobId: job.id, model, prompt },
  };
}
