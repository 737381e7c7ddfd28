import { randomBytes } from 'node:crypto';

import type { CheckResponse, RequestStatus, RunResponse, components, operations } from './spec-types.js';
import type { Request } from 'express';

import type { ApiContext } from '../../core/api-context.js';
import type { ApiKeyConfig } from '../../core/api-keys.js';
import { checkKeyModels } from '../../core/api-keys.js';
import { PLACEHOLDER_CONTENT_TYPE, PlaceholderImageCache, placeholderLabel, retainedPrompt } from '../../core/images/placeholder-image.js';
import type { PlaceholderImageRequest } from '../../core/images/placeholder-image.js';
import type { Job, JobPhase } from '../../core/job-store.js';
import { fieldMessages, problem } from '../../core/problems.js';
import type { RateLimitState } from '../../core/rate-limiter.js';
import { jobTiming } from '../../core/timing.js';
import type { OperationHandler, VendorApi } from '../../core/vendor-api.js';
import { contextOf, jobOutcomeRewrite, jsonObject, outcomeFor } from '../../core/vendor-api.js';
import { lumozAIErrorFormat } from './lumozai-errors.js';
import type { LumozAIModel } from './model-catalog.js';
import { checkParameters, loadModelCatalog } from './model-catalog.js';
import { laravelMessage, laravelSummary } from './validation-messages.js';

/** A LumozAI key: the shared fields plus its hourly limit. */
export interface LumozAIKeyConfig extends ApiKeyConfig {
  /** Requests per hour before `429 rate_limit_exceeded` (`X-RateLimit-Limit`). Default: {@link DEFAULT_REQUESTS_PER_HOUR}. */
  requestsPerHour?: number;
}

/** Settings of the LumozAI mock; every field has a default. */
export interface LumozAIMockConfig {
  /** Accepted `Authorization: Bearer` keys. Default: {@link LUMOZAI_DEV_KEYS}. */
  keys?: LumozAIKeyConfig[];
  /** The model catalog: models, their parameters and typical durations. Default: `data/lumozai/models.json`. */
  modelsFile?: string;
  /**
   * A run whose model finishes within this many ms is answered `completed` with its output (the
   * request waits for it); a slower one is answered with its `request_id` alone, and 0 answers
   * every run that way. Default: 5000.
   */
  runWaitMs?: number;
  /**
   * Requests per hour one client address may make without a valid key: they are counted, so a 401
   * carries the rate-limit headers too, and refused with 429 past this. Default: 3600 (Laravel's
   * default API throttle, 60 a minute).
   */
  unauthenticatedRequestsPerHour?: number;
}

/** The hourly limit of a key that names none: a plan a test suite does not run out of. */
export const DEFAULT_REQUESTS_PER_HOUR = 100_000;
/** `runWaitMs`'s default: the documented synchronous wait of a run. */
export const DEFAULT_RUN_WAIT_MS = 5_000;
const DEFAULT_UNAUTHENTICATED_PER_HOUR = 3_600;
const HOUR_MS = 60 * 60 * 1000;

/** Dev keys, printed at start-up; each shows one documented behaviour. */
export const LUMOZAI_DEV_KEYS: readonly LumozAIKeyConfig[] = [
  { key: 'lmz_mock_dev', description: `every model, ${DEFAULT_REQUESTS_PER_HOUR} requests per hour` },
  { key: 'lmz_mock_hourly_3', requestsPerHour: 3, description: '3 requests per hour (429 rate_limit_exceeded; X-RateLimit-Reset says when)' },
  { key: 'lmz_mock_no_models', models: [], description: 'a plan without any model (403 permission_denied on POST /run)' },
  { key: 'lmz_mock_revoked', revoked: true, description: 'revoked (401 authentication_failed)' },
];

/** The documented failure message, used when `Prefer: job-status=failed` names none. */
const DEFAULT_FAILURE = 'Model execution failed due to invalid parameters';

/** Where outputs are served, below `/lumozai`, like the documented `https://lumozai.com/storage/outputs/...`. */
const OUTPUTS_PATH = '/storage/outputs';

/**
 * LumozAI's names for the shared job phases, checked against the spec's status enum. A run is
 * `processing` from the moment it is accepted; LumozAI documents no cancellation.
 */
const STATUS_BY_PHASE = {
  queued: 'processing',
  running: 'processing',
  succeeded: 'completed',
  failed: 'failed',
} as const satisfies Record<Exclude<JobPhase, 'cancelled'>, RequestStatus>;

/** What a run was asked for, fixed when it is accepted so every answer and download agree. */
interface RunInput {
  requestId: number;
  model: LumozAIModel;
  /** What the output shows of the prompt parameter (`retainedPrompt`); the other parameters shape nothing it shows. */
  prompt: string;
  webhook: string | undefined;
  /** The mock's origin as this client reached it, for the absolute output URL. */
  origin: string;
}

/**
 * 15-digit request ids that never repeat and do not reveal how many runs came before: the n-th id
 * is `10^14 + (n * STEP + offset) mod 9 * 10^14`, a bijection because STEP shares no factor with
 * 9 * 10^14 (= 2^14 * 3^2 * 5^14). Every id is below 2^53, so a JSON number holds it exactly.
 */
class RequestIds {
  static readonly #SPAN = 9n * 10n ** 14n;
  static readonly #STEP = 1_000_000_007n;
  #next = 0n;
  readonly #offset = BigInt(`0x${randomBytes(8).toString('hex')}`) % RequestIds.#SPAN;

  next(): number {
    const id = 10n ** 14n + ((this.#next++ * RequestIds.#STEP + this.#offset) % RequestIds.#SPAN);
    return Number(id);
  }
}

/** X-RateLimit-Limit, -Remaining and -Reset (the Unix second the window ends), named by the spec. */
function rateLimitHeaders(state: RateLimitState): Record<keyof components['headers'], string> {
  return {
    'X-RateLimit-Limit': String(state.limit),
    'X-RateLimit-Remaining': String(state.remaining),
    'X-RateLimit-Reset': String(Math.ceil(state.resetAt / 1000)),
  };
}

const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data'];

export function createLumozAIMock(config: LumozAIMockConfig, ctx: ApiContext<LumozAIKeyConfig>): VendorApi<LumozAIKeyConfig> {
  const { doc, principalOf } = ctx;
  const catalog = loadModelCatalog(config.modelsFile);
  const byId = new Map(catalog.map((model) => [model.model_id, model]));
  checkKeyModels(ctx.slug, ctx.keyConfigs, byId.keys());
  const runWaitMs = config.runWaitMs ?? DEFAULT_RUN_WAIT_MS;
  const jobs = ctx.jobs<RunInput>({ outputs: (job) => [imageOf(job)] });
  const ids = new RequestIds();
  const images = new PlaceholderImageCache();
  const runFinished = ctx.callback('runFinished');

  const outputUrl = (input: RunInput) => ctx.url(input.origin, `${OUTPUTS_PATH}/image_${input.requestId}.jpg`);

  /** The `POST /check` answer for a run: also the webhook's body. */
  function checkAnswer(job: Job<RunInput>): CheckResponse {
    const phase = jobs.phase(job);
    const { requestId: request_id, model } = job.input;
    if (phase === 'cancelled') throw new Error('LumozAI runs are never cancelled');
    const status = STATUS_BY_PHASE[phase];
    if (status === 'completed') return { success: true, data: { request_id, status, output: outputUrl(job.input), output_type: model.output_type } };
    if (status === 'failed') return { success: false, data: { request_id, status, error: job.failure?.message ?? DEFAULT_FAILURE } };
    return { success: true, data: { request_id, status, progress: jobs.progress(job) } };
  }

  // "A callback when processing is complete": the terminal check answer, through the shared sender.
  jobs.onSettled((job) => {
    const url = job.input.webhook;
    if (url === undefined || job.outcome === 'cancelled') return;
    runFinished.send({ url, payload: checkAnswer(job) });
  });

  /**
   * How long this run may hold the request: `runWaitMs`, or less when the client prefers (RFC 7240
   * `Prefer: respond-async`, or `wait=<seconds>`).
   */
  function waitMsFor(req: Request): number {
    const { prefer } = contextOf(req);
    if (prefer.has('respond-async')) return 0;
    const wait = prefer.get('wait');
    if (wait === undefined) return runWaitMs;
    if (!/^\d+$/.test(wait)) {
      const message = `Prefer: wait=${wait} must be a whole number of seconds`;
      throw problem('validation', message, { fields: { Prefer: [message] }, mockControl: true });
    }
    return Math.min(runWaitMs, Number(wait) * 1000);
  }

  /** The run's model and parameters, checked as LumozAI checks them; throws its documented errors. */
  function planRun(req: Request): { model: LumozAIModel; parameters: Record<string, string | number | boolean>; webhook: string | undefined } {
    const principal = principalOf(req);
    const body = req.body as Record<string, unknown>;
    const modelId = String(body.model_id);
    const model = byId.get(modelId);
    if (!model) throw problem('not_found', `The requested model does not exist: ${modelId}.`);
    if (principal.models && !principal.models.has(model.model_id)) {
      throw problem('permission_denied', `You don't have permission to access this resource: this API key may not run ${model.model_id}.`);
    }
    const details = fieldMessages();
    const webhook = body.webhook as string | undefined;
    // The spec's `format: uri` takes any scheme; a callback goes out over HTTP.
    if (webhook !== undefined && !/^https?:\/\//i.test(webhook)) details.webhook = [laravelMessage('webhook', 'format', { format: 'url' })];
    const checked = checkParameters(doc, model, body, Boolean(req.is(FORM_TYPES)));
    if (!checked.ok) Object.assign(details, checked.details);
    if (!checked.ok || Object.keys(details).length > 0) throw problem('validation', laravelSummary(details), { fields: details });
    return { model, parameters: checked.values, webhook };
  }

  const handlers = {
    async runModel(req, res) {
      const waitMs = waitMsFor(req);
      const { model, parameters, webhook } = planRun(req);
      const requestId = ids.next();
      const job = jobs.create({
        id: String(requestId),
        owner: principalOf(req).workspace,
        input: { requestId, model, prompt: retainedPrompt(typeof parameters.prompt === 'string' ? parameters.prompt : ''), webhook, origin: ctx.originOf(req) },
        timing: jobTiming(ctx.timing, model.typical_duration_ms),
        ...outcomeFor(req, { message: DEFAULT_FAILURE }),
      });
      // A run that will fail is answered with its id alone: the failure is reported by /check (and
      // the webhook), the only place the documentation shows one.
      if (job.outcome === 'succeeded' && waitMs > 0 && job.settledAt - job.createdAt <= waitMs) {
        // Instant timing (or a manual clock) settles the run as it is created: nothing to wait on.
        if (job.settledAt > ctx.clock.now()) {
          const abort = new AbortController();
          const onClose = () => abort.abort(new Error('client went away'));
          res.once('close', onClose);
          try {
            await jobs.settled(job, abort.signal);
          } catch (error) {
            if (abort.signal.aborted) return; // nobody to answer; the run goes on
            throw error;
          } finally {
            res.off('close', onClose);
          }
        }
        const completed: RunResponse = { success: true, data: { request_id: requestId, output: outputUrl(job.input), output_type: model.output_type } };
        return res.json(completed);
      }
      const accepted: RunResponse = { success: true, data: { request_id: requestId } };
      return res.json(accepted);
    },

    checkRequest(req, res) {
      const { request_id } = req.body as { request_id: number };
      const job = jobs.get(String(request_id), principalOf(req).workspace);
      // Laravel's `exists` rule, scoped to the caller: another account's id reads as unknown.
      if (!job) {
        const message = laravelMessage('request_id', 'exists');
        throw problem('validation', message, { fields: { request_id: [message] } });
      }
      res.json(checkAnswer(job));
    },
  } satisfies { [OperationId in keyof operations]: OperationHandler };

  const outputs: OperationHandler = async (req, res) => {
    const file = String(req.params.file);
    const requestId = /^image_(\d+)\.jpg$/.exec(file)?.[1];
    const job = requestId === undefined ? undefined : jobs.find(requestId);
    if (!job) throw problem('not_found', `No output at ${OUTPUTS_PATH}/${file}`);
    const phase = jobs.phase(job);
    if (phase !== 'succeeded') {
      throw problem('not_found', `No output at ${OUTPUTS_PATH}/${file}: request ${requestId} ${phase === 'failed' ? 'failed' : 'is still processing'}`);
    }
    if (!jobs.resultsAvailable(job)) throw problem('not_found', `No output at ${OUTPUTS_PATH}/${file}: it has expired`);
    const jpeg = await images.render(imageOf(job));
    res.status(200).set({ 'Content-Type': PLACEHOLDER_CONTENT_TYPE.jpeg, 'Content-Length': String(jpeg.length) }).end(jpeg);
  };

  return {
    errors: lumozAIErrorFormat(doc),
    handlers,
    routes: [{ method: 'GET', path: `${OUTPUTS_PATH}/{file}`, handler: outputs }],
    jobStatuses: STATUS_BY_PHASE,
    // A failed run carries only a message (`data.error`), no code.
    failureCodes: [],
    // In front of the real LumozAI: its /check answer for the run as failed, the output gone.
    jobOutcomeAnswer: jobOutcomeRewrite('checkRequest', { message: DEFAULT_FAILURE }, (answer, settled) => {
      const requestId = jsonObject(answer.data)?.request_id;
      if (requestId === undefined || settled.outcome !== 'failed') return undefined;
      return { success: false, data: { request_id: requestId, status: STATUS_BY_PHASE.failed, error: settled.failure?.message } };
    }),
    rateLimit: {
      windowMs: HOUR_MS,
      limitOf: (principal) => principal.config.requestsPerHour ?? DEFAULT_REQUESTS_PER_HOUR,
      unauthenticatedLimit: config.unauthenticatedRequestsPerHour ?? DEFAULT_UNAUTHENTICATED_PER_HOUR,
      headers: rateLimitHeaders,
    },
  };
}

/** The image a run renders, as served and as the inspector's thumbnail shows it. */
function imageOf(job: Job<RunInput>): PlaceholderImageRequest {
  const { model, prompt, requestId } = job.input;
  const { width, height } = model.output_size;
  return {
    format: 'jpeg',
    width,
    height,
    seed: `${model.model_id}\n${prompt}\n${requestId}`,
    label: placeholderLabel({ api: 'LumozAI', model: model.model_id, width, height, prompt, id: String(requestId) }),
    provenance: { api: 'lumozai', jobId: String(requestId), model: model.model_id, prompt },
  };
}
