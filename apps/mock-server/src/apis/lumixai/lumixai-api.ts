import type {
  ImageGenerationRequest,
  ImageGenerationResponse,
  ImageJob,
  ImageJobCreateResponse,
  JobStatus,
  Model,
  ModelList,
  Resolution,
  operations,
} from './spec-types.js';
import type { Request } from 'express';

import type { ApiContext } from '../../core/api-context.js';
import type { ApiKeyConfig, Principal, WorkspaceConfig } from '../../core/api-keys.js';
import { checkKeyModels } from '../../core/api-keys.js';
import { fixedJsonBody } from '../../core/json-response.js';
import { PlaceholderImageCache, placeholderLabel, retainedPrompt } from '../../core/images/placeholder-image.js';
import type { PlaceholderImageRequest } from '../../core/images/placeholder-image.js';
import type { Job, JobPhase } from '../../core/job-store.js';
import { problem } from '../../core/problems.js';
import { jobTiming } from '../../core/timing.js';
import type { OperationHandler, VendorApi } from '../../core/vendor-api.js';
import { jobOutcomeRewrite, outcomeFor } from '../../core/vendor-api.js';
import { lumixAIErrorFormat } from './lumixai-errors.js';
import { capResolution, loadModelCatalog, pixelSize, typicalDurationMs } from './model-catalog.js';

/** A LumixAI key: the shared fields plus its requests-per-minute limit. */
export interface LumixAIKeyConfig extends ApiKeyConfig {
  /** Requests per minute before `429 rate_limit_error`. Default: no limit. */
  rpm?: number;
}

/** Settings of the LumixAI mock; every field has a default. */
export interface LumixAIMockConfig {
  /** Accepted `X-API-Key` values. Default: {@link LUMIXAI_DEV_KEYS}. */
  keys?: LumixAIKeyConfig[];
  /** Starting credit balances, in credit micros; workspaces not listed are unlimited. Default: only `ws_no_credits`, at 0. */
  workspaces?: WorkspaceConfig[];
  /** A `GET /v1/models` response body to serve and to check requests against. Default: `data/lumixai/models.json`. */
  modelsFile?: string;
}

/** Dev keys, printed at start-up; each shows one documented behaviour. */
export const LUMIXAI_DEV_KEYS: readonly LumixAIKeyConfig[] = [
  { key: 'air_live_mock_dev', description: 'all models, unlimited credits, no rate limit' },
  {
    key: 'air_live_mock_scoped',
    // The dev key's workspace (a key is its own workspace unless told), so it sees that workspace's jobs.
    workspace: 'air_live_mock_dev',
    models: ['imagen-nano-banana-2-flash'],
    description: "scoped to imagen-nano-banana-2-flash in the dev key's workspace (403 for other models and for that workspace's jobs of them)",
  },
  { key: 'air_live_mock_no_credits', workspace: 'ws_no_credits', description: 'workspace without credits (402)' },
  { key: 'air_live_mock_rpm_2', rpm: 2, description: '2 requests per minute (429 with Retry-After)' },
];
const LUMIXAI_DEV_WORKSPACES: readonly WorkspaceConfig[] = [{ id: 'ws_no_credits', credits: 0 }];

/** Where the job's image comes from, fixed at creation so every download gives the same bytes. */
interface LumixAIJobInput {
  model: Model;
  /** What the image shows of the prompt (`retainedPrompt`), not the whole of a long one. */
  prompt: string;
  seed: string;
  width: number;
  height: number;
}

/**
 * LumixAI's names for the shared job phases, checked against the spec's JobStatus enum. LumixAI
 * documents no cancellation, so no job of it is ever `cancelled`.
 */
const STATUS_BY_PHASE = {
  queued: 'pending',
  running: 'running',
  succeeded: 'done',
  failed: 'error',
} as const satisfies Record<Exclude<JobPhase, 'cancelled'>, JobStatus>;

function statusOf(phase: JobPhase): JobStatus {
  if (phase === 'cancelled') throw new Error('LumixAI jobs are never cancelled');
  return STATUS_BY_PHASE[phase];
}

export function createLumixAIMock(config: LumixAIMockConfig, ctx: ApiContext<LumixAIKeyConfig>): VendorApi<LumixAIKeyConfig> {
  const { principalOf } = ctx;
  const catalog = loadModelCatalog(config.modelsFile);
  const bySlug = new Map(catalog.map((model) => [model.slug, model]));
  let listed: ModelList | undefined;
  checkKeyModels(ctx.slug, ctx.keyConfigs, catalog.filter((model) => model.active).map((model) => model.slug));
  const credits = ctx.credits(config.workspaces ?? LUMIXAI_DEV_WORKSPACES, { unit: 'credit micros' });
  const jobs = ctx.jobs<LumixAIJobInput>({ outputs: (job) => [imageOf(job)] });
  // A failed job gives its credits back, as billing "charged or reserved" implies.
  jobs.onSettled((job) => {
    if (job.outcome === 'failed') credits.refund(job.owner, job.charged);
  });
  // Only LumixAI documents keys, and so its own 409 for a key reused with another body.
  const idempotency = ctx.idempotency({ conflict: (message) => problem('idempotency_conflict', message) });
  const images = new PlaceholderImageCache();

  const seconds = (ms: number) => Math.floor(ms / 1000);
  const downloadUrl = (id: string) => `/v1/images/results/${id}/download`;

  /** Checks a validated request against the catalog and the key, and works out the output. */
  function plan(body: ImageGenerationRequest, principal: Principal) {
    const model = bySlug.get(body.model);
    if (!model || !model.active) {
      throw problem('validation', `model: unknown model slug "${body.model}"; GET /v1/models lists the available slugs`, {
        fields: { model: ['unknown model slug'] },
      });
    }
    if (principal.models && !principal.models.has(model.slug)) {
      throw problem('permission_denied', `This API key is not allowed to use model ${model.slug}`);
    }
    const aspectRatio = body.aspectRatio ?? model.default_aspect_ratio;
    if (!model.aspect_ratios.includes(aspectRatio)) {
      throw problem('validation', `aspectRatio: ${model.slug} supports ${model.aspect_ratios.join(', ')}; got ${aspectRatio}`, {
        fields: { aspectRatio: ['not supported by this model'] },
      });
    }
    const requested: Resolution = body.resolution ?? model.default_resolution;
    if (!model.resolutions.includes(requested)) {
      throw problem('validation', `resolution: ${model.slug} supports ${model.resolutions.join(', ')}; got ${requested}`, {
        fields: { resolution: ['not supported by this model'] },
      });
    }
    const { width, height } = pixelSize(aspectRatio, capResolution(requested, model));
    return { model, prompt: body.prompt, seed: body.seed, width, height };
  }
  type Plan = ReturnType<typeof plan>;

  /** The request's plan, checked before an idempotent replay could skip the check. */
  const authorize = (req: Request) => () => plan(req.body as ImageGenerationRequest, principalOf(req));

  function startJob(req: Request, { model, prompt, seed, width, height }: Plan): Job<LumixAIJobInput> {
    const principal = principalOf(req);
    const jobId = crypto.randomUUID();
    // Without a seed each job is its own image; with one, the same prompt and seed repeat.
    const input: LumixAIJobInput = { model, prompt: retainedPrompt(prompt), seed: seed === undefined ? `job:${jobId}` : `seed:${seed}`, width, height };
    const price = model.image_credit_micros_per_unit;
    if (!credits.charge(principal.workspace, price)) {
      throw problem('insufficient_credits', `insufficient credits: ${model.slug} costs ${price} credit micros per image`);
    }
    return jobs.create({
      id: jobId,
      owner: principal.workspace,
      input,
      timing: jobTiming(ctx.timing, typicalDurationMs(model.timing)),
      ...outcomeFor(req, { message: 'Image generation failed upstream (simulated by Prefer: job-status=error)' }),
      charged: price,
    });
  }

  function findJob(req: Request): Job<LumixAIJobInput> {
    const id = String(req.params.id);
    const principal = principalOf(req);
    const job = jobs.get(id, principal.workspace);
    if (!job) throw problem('not_found', `image job ${id} not found`);
    // A scoped key sees its workspace's jobs, but "cannot access" those of a model outside its scope.
    if (principal.models && !principal.models.has(job.input.model.slug)) {
      throw problem('permission_denied', `This API key is not allowed to use model ${job.input.model.slug}, the model of image job ${id}`);
    }
    return job;
  }

  function jobView(job: Job<LumixAIJobInput>): ImageJob {
    const phase = jobs.phase(job);
    const view: ImageJob = { id: job.id, status: statusOf(phase), created: seconds(job.createdAt), usage: { image_count: 1 } };
    if (phase === 'succeeded' || phase === 'failed') view.completed = seconds(job.settledAt);
    if (phase === 'succeeded') view.data = [{ download_url: downloadUrl(job.id) }];
    if (phase === 'failed') view.error = job.failure?.message;
    return view;
  }

  const handlers = {
    listModels(_req, res) {
      // The catalog is fixed for the server's life: its listing is serialized once.
      res.json((listed ??= fixedJsonBody({ data: catalog.filter((model) => model.public && model.active) })));
    },

    createImageJob: (req, res) =>
      idempotency.respond(req, res, {
        authorize: authorize(req),
        async produce(planned) {
          const job = startJob(req, planned);
          const created: ImageJobCreateResponse = {
            id: job.id,
            status: STATUS_BY_PHASE.queued,
            created: seconds(job.createdAt),
            usage: { image_count: 1 },
          };
          return { status: 202, body: created };
        },
      }),

    getImageJob(req, res) {
      res.json(jobView(findJob(req)));
    },

    async downloadImageResult(req, res) {
      const job = findJob(req);
      const phase = jobs.phase(job);
      if (phase !== 'succeeded') {
        throw problem('not_found', `result ${job.id} is not available: the job is ${statusOf(phase)}`);
      }
      if (!jobs.resultsAvailable(job)) {
        throw problem('not_found', `result ${job.id} has expired; generated images are not stored, download promptly`);
      }
      const png = await images.render(imageOf(job));
      res
        .status(200)
        .set({
          'Content-Type': 'image/png',
          'Content-Length': String(png.length),
          'Content-Disposition': `attachment; filename="lumixai-${job.id}.png"`,
        })
        .end(png);
    },

    generateImage: (req, res) =>
      idempotency.respond(req, res, {
        authorize: authorize(req),
        async produce(planned) {
          const job = startJob(req, planned);
          const abort = new AbortController();
          const onClose = () => abort.abort(new Error('client went away'));
          res.once('close', onClose);
          try {
            const phase = await jobs.settled(job, abort.signal);
            if (phase === 'failed') throw problem('unavailable', job.failure?.message ?? 'image generation failed');
          } finally {
            res.off('close', onClose);
          }
          const body: ImageGenerationResponse = {
            created: seconds(job.createdAt),
            data: [{ download_url: downloadUrl(job.id) }],
            usage: { image_count: 1 },
          };
          return { status: 200, body };
        },
      }),
  } satisfies { [OperationId in keyof operations]: OperationHandler };

  return {
    errors: lumixAIErrorFormat(ctx.doc),
    handlers,
    jobStatuses: STATUS_BY_PHASE,
    // A failed job carries only a message: Prefer: job-error-code is refused, naming why.
    failureCodes: [],
    // In front of the real LumixAI: its job read as failed, the outputs gone (it has no cancellation).
    jobOutcomeAnswer: jobOutcomeRewrite('getImageJob', { message: 'Image generation failed upstream (injected by the imagegen proxy)' }, ({ data: _outputs, ...job }, settled) =>
      settled.outcome === 'failed' ? { ...job, status: STATUS_BY_PHASE.failed, completed: job.completed ?? seconds(ctx.clock.now()), error: settled.failure?.message } : undefined,
    ),
    rateLimit: { windowMs: 60_000, limitOf: (principal) => principal.config.rpm },
  };
}

/** The image a job renders, as downloaded and as the inspector's thumbnail shows it. */
function imageOf(job: Job<LumixAIJobInput>): PlaceholderImageRequest {
  const { model, prompt, seed, width, height } = job.input;
  return {
    format: 'png',
    width,
    height,
    seed: `${model.slug}\n${prompt}\n${seed}`,
    label: placeholderLabel({ api: 'LumixAI', model: model.slug, width, height, prompt, id: seed }),
    provenance: { api: 'lumixai', jobId: job.id, model: model.slug, prompt },
  };
}
