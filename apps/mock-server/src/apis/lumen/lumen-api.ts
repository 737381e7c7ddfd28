import { randomUUID } from 'node:crypto';

import type { EditRequest, GenerationRequest, InpaintRequest, Task, TaskCreated, TaskStatus, operations } from './spec-types.js';
import type { Request } from 'express';

import type { ApiContext } from '../../core/api-context.js';
import type { ApiKeyConfig, Principal, WorkspaceConfig } from '../../core/api-keys.js';
import { checkKeyModels } from '../../core/api-keys.js';
import { Amount } from '../../core/credit-ledger.js';
import { PLACEHOLDER_CONTENT_TYPE, PlaceholderImageCache, placeholderLabel, retainedPrompt } from '../../core/images/placeholder-image.js';
import type { PlaceholderImageRequest } from '../../core/images/placeholder-image.js';
import type { Job, JobPhase } from '../../core/job-store.js';
import { problem } from '../../core/problems.js';
import { jobTiming } from '../../core/timing.js';
import type { HmacScheme } from '../../core/webhook-signature.js';
import { hmacSigner } from '../../core/webhook-signature.js';
import type { OperationHandler, VendorApi } from '../../core/vendor-api.js';
import { jobOutcomeRewrite, outcomeFor } from '../../core/vendor-api.js';
import type { LumenGroup, LumenMode, LumenModel } from './catalog.js';
import { MODE_BY_OPERATION, MODE_NAMES, loadCatalog, outputSize } from './catalog.js';
import { lumenErrorFormat } from './lumen-errors.js';

/** A Lumen key: the shared fields plus its group. */
export interface LumenKeyConfig extends ApiKeyConfig {
  /** The group the key belongs to: it decides the models the key may use and their price multiplier. Default: the catalog's `defaultGroup`. */
  group?: string;
}

/** Settings of the Lumen mock; every field has a default. */
export interface LumenMockConfig {
  /** Accepted `Authorization: Bearer` keys. Default: {@link LUMEN_DEV_KEYS}. */
  keys?: LumenKeyConfig[];
  /** Starting credit balances; workspaces not listed are unlimited. Default: `ws_no_credits` at 0 and `ws_100_credits` at 100. */
  workspaces?: WorkspaceConfig[];
  /** Models (modes, unit prices, qualities) and groups (models, price multipliers). Default: `data/lumen/catalog.json`. */
  catalogFile?: string;
}

/** Dev keys, printed at start-up; each shows one documented behaviour. */
export const LUMEN_DEV_KEYS: readonly LumenKeyConfig[] = [
  { key: 'sk-lumen-mock-dev', description: 'group default: every model, unlimited credits' },
  { key: 'sk-lumen-mock-basic', group: 'basic', description: 'group basic: no inpaint model (404 model_not_found for fal-flux-pro-fill), half price' },
  { key: 'sk-lumen-mock-100-credits', workspace: 'ws_100_credits', description: '100 credits (25 gpt-image-2-low images), then 402; failed tasks refund' },
  { key: 'sk-lumen-mock-no-credits', workspace: 'ws_no_credits', description: 'no credits (402 insufficient_credits)' },
  { key: 'sk-lumen-mock-revoked', revoked: true, description: 'revoked (401 revoked_api_key)' },
];
const LUMEN_DEV_WORKSPACES: readonly WorkspaceConfig[] = [
  { id: 'ws_no_credits', credits: 0 },
  { id: 'ws_100_credits', credits: 100 },
];

/** Lumen's word for each job phase: the spec's statuses, all five. */
const STATUS_BY_PHASE = {
  queued: 'queued',
  running: 'processing',
  succeeded: 'succeeded',
  failed: 'failed',
  cancelled: 'cancelled',
} as const satisfies Record<JobPhase, TaskStatus>;

/** Where images are served, below `/lumen`: the mock's stand-in for Lumen's image host. */
const IMAGE_ROUTE = '/images/{id}/{file}';
const IMAGE_FILE = /^([0-9])\.png$/;

/** "X-Lumen-Signature: sha256=<hmac_hex>": HMAC-SHA256 of the raw body, keyed with the task's webhook_secret. */
const SIGNATURE: HmacScheme = { header: 'X-Lumen-Signature', algorithm: 'sha256', encoding: 'hex', prefix: 'sha256=' };

const DEFAULT_FAILURE = {
  code: 'upstream_error',
  message: 'the upstream provider failed to generate the image; the credits were refunded (simulated by Prefer: job-status=failed)',
};

/** Fixed at creation: what the images look like and where the result goes. */
interface LumenTaskInput {
  mode: LumenMode;
  model: string;
  /** What the images show of the prompt (`retainedPrompt`), not the whole of a long one. */
  prompt: string;
  n: number;
  width: number;
  height: number;
  /** The mock's origin as the submitting client reached it, for the webhook's image URLs. */
  origin: string;
  webhook?: { url: string; secret: string };
}

type SubmitRequest = GenerationRequest | EditRequest | InpaintRequest;
type SubmitOperation = keyof typeof MODE_BY_OPERATION;

export function createLumenMock(config: LumenMockConfig, ctx: ApiContext<LumenKeyConfig>): VendorApi<LumenKeyConfig> {
  const { principalOf } = ctx;
  const catalog = loadCatalog(config.catalogFile);
  const models = new Map(catalog.models.map((model) => [model.code, model]));
  const groups = new Map(catalog.groups.map((group) => [group.name, group]));
  const unknownGroups = ctx.keyConfigs.filter((key) => key.group !== undefined && !groups.has(key.group));
  if (unknownGroups.length > 0) {
    throw new Error(
      `apis.lumen.keys: ${unknownGroups.map((key) => `${key.key} names group ${key.group}`).join(', ')}, which the catalog does not have (${[...groups.keys()].join(', ')})`,
    );
  }
  checkKeyModels(ctx.slug, ctx.keyConfigs, models.keys());
  const credits = ctx.credits(config.workspaces ?? LUMEN_DEV_WORKSPACES, { unit: 'credits' });
  const jobs = ctx.jobs<LumenTaskInput>({ outputs: (job) => Array.from({ length: job.input.n }, (_, index) => imageOf(job, index)) });
  const images = new PlaceholderImageCache();
  const taskCompleted = ctx.callback('taskCompleted');

  // "Failed tasks refund the deducted credits"; a cancelled task produced nothing either.
  jobs.onSettled((job) => {
    if (job.outcome !== 'succeeded') credits.refund(job.owner, job.charged);
    if (job.input.webhook) sendWebhook(job, job.input.webhook);
  });

  /** "Both success and failure are called back": the terminal task, signed over the bytes sent. */
  function sendWebhook(job: Job<LumenTaskInput>, webhook: { url: string; secret: string }): void {
    const signer = hmacSigner(SIGNATURE, webhook.secret);
    taskCompleted.send({
      url: webhook.url,
      payload: taskView(job, job.input.origin),
      headers: (rawBody, sentAt) => ({ ...signer.headers(rawBody), 'X-Lumen-Timestamp': String(Math.floor(sentAt / 1000)) }),
      signature: signer.signature,
    });
  }

  const seconds = (ms: number) => Math.floor(ms / 1000);
  const groupOf = (principal: Principal<LumenKeyConfig>): LumenGroup =>
    groups.get(principal.config.group ?? catalog.defaultGroup) as LumenGroup;

  /** The model a key may use, or the documented "no such image model in this group". */
  function modelFor(code: string, principal: Principal<LumenKeyConfig>): LumenModel {
    const group = groupOf(principal);
    const model = models.get(code);
    if (!model || !group.models.includes(code) || (principal.models && !principal.models.has(code))) {
      const offered = group.models.filter((candidate) => !principal.models || principal.models.has(candidate));
      throw problem('not_found', `no such image model in this group: ${code} (group ${group.name} offers ${offered.join(', ') || 'none'})`, {
        code: 'model_not_found',
      });
    }
    return model;
  }

  function startTask(req: Request, operation: SubmitOperation): Job<LumenTaskInput> {
    const principal = principalOf(req);
    const body = req.body as SubmitRequest & { image_urls?: string[]; image?: string; mask_url?: string };
    // The schema requires it too (dependentRequired); kept here so the rule holds whatever validates.
    if (body.webhook_url !== undefined && body.webhook_secret === undefined) {
      throw problem('validation', 'webhook_secret is required when webhook_url is set', { code: 'webhook_secret_required' });
    }
    // Checked as URLs and never fetched: the mock makes no request on a caller's behalf but the webhook.
    const urls: Array<[string, string | undefined]> = [
      ...(body.image_urls ?? []).map((url, i): [string, string] => [`image_urls[${i}]`, url]),
      ['image', body.image],
      ['mask_url', body.mask_url],
      ['webhook_url', body.webhook_url],
    ];
    for (const [field, url] of urls) if (url !== undefined) checkHttpUrl(field, url);

    const mode = MODE_BY_OPERATION[operation];
    const model = modelFor(body.model, principal);
    if (!model.modes.includes(mode)) {
      const can = model.modes.map((m) => MODE_NAMES[m]).join(', ');
      if (mode === 'inpaint') {
        throw problem('validation', `model ${model.code} does not support inpaint (it supports ${can}); use an inpaint model, e.g. ${inpaintModels(principal) || 'none in this group'}`, {
          code: 'model_cannot_inpaint',
        });
      }
      throw problem('validation', `model: ${model.code} does not support ${MODE_NAMES[mode]}; it supports ${can}`);
    }
    if (body.quality !== undefined && model.qualities && !model.qualities.includes(body.quality)) {
      throw problem('validation', `quality: ${model.code} supports ${model.qualities.join(', ')}; got ${body.quality}`);
    }
    const n = body.n ?? 1;
    const { width, height } = outputSize(body.size ?? '1:1', body.resolution);
    // Model unit price x group multiplier x n, exactly: 0.1 x 0.7 x 3 is 0.21 credits, not 0.21000000000000002.
    const price = Amount.of(model.unitPrice).times(groupOf(principal).priceMultiplier).times(n);
    if (!credits.charge(principal.workspace, price)) {
      throw problem('insufficient_credits', `insufficient credits: ${n} x ${model.code} costs ${price} credits, the balance is ${credits.balance(principal.workspace)}`);
    }
    return jobs.create({
      id: randomUUID().replaceAll('-', ''),
      owner: principal.workspace,
      input: {
        mode,
        model: model.code,
        prompt: retainedPrompt(body.prompt),
        n,
        width,
        height,
        origin: ctx.originOf(req),
        ...(body.webhook_url === undefined ? {} : { webhook: { url: body.webhook_url, secret: body.webhook_secret as string } }),
      },
      timing: jobTiming(ctx.timing, model.typicalSeconds === undefined ? undefined : model.typicalSeconds * 1000),
      ...outcomeFor(req, DEFAULT_FAILURE),
      charged: price,
    });
  }

  const inpaintModels = (principal: Principal<LumenKeyConfig>) =>
    groupOf(principal)
      .models.filter((code) => models.get(code)?.modes.includes('inpaint') && (!principal.models || principal.models.has(code)))
      .join(', ');

  // Each view one object literal (a task is polled over and over): no spread of a common part,
  // no Array.from over an array-like, which V8 runs on its slow paths.
  function taskView(job: Job<LumenTaskInput>, origin: string): Task {
    const phase = jobs.phase(job);
    const { id } = job;
    const created = seconds(job.createdAt);
    switch (phase) {
      case 'queued':
      case 'running':
        return { id, created, status: STATUS_BY_PHASE[phase] };
      case 'succeeded': {
        const data: Array<{ url: string }> = [];
        for (let i = 0; i < job.input.n; i++) data.push({ url: ctx.url(origin, `/images/${id}/${i}.png`) });
        return { id, created, status: 'succeeded', data };
      }
      case 'failed':
        return { id, created, status: 'failed', error: { code: job.failure?.code ?? DEFAULT_FAILURE.code, message: job.failure?.message ?? DEFAULT_FAILURE.message } };
      case 'cancelled':
        return { id, created, status: 'cancelled' };
    }
  }

  const submit =
    (operation: SubmitOperation): OperationHandler =>
    (req, res) => {
      const job = startTask(req, operation);
      const created: TaskCreated = { id: job.id, status: 'queued', created: seconds(job.createdAt) };
      res.json(created);
    };

  const handlers = {
    createGenerationTask: submit('createGenerationTask'),
    createEditTask: submit('createEditTask'),
    createInpaintTask: submit('createInpaintTask'),
    getTask(req, res) {
      const id = String(req.params.id);
      const job = jobs.get(id, principalOf(req).workspace);
      if (!job) throw problem('not_found', `task ${id} not found`, { code: 'task_not_found' });
      res.json(taskView(job, ctx.originOf(req)));
    },
  } satisfies { [OperationId in keyof operations]: OperationHandler };

  /** An image of a succeeded task, as Lumen's image host would serve it: no key, a real PNG. */
  const serveImage: OperationHandler = async (req, res) => {
    const id = String(req.params.id);
    const index = Number(IMAGE_FILE.exec(String(req.params.file))?.[1] ?? Number.NaN);
    const job = jobs.find(id);
    if (!job || !(index < job.input.n) || !jobs.resultsAvailable(job)) {
      throw problem('not_found', `No image at ${req.path}: the task is unknown, not succeeded, has fewer images or its results expired`);
    }
    const png = await images.render(imageOf(job, index));
    res.status(200).set({ 'Content-Type': PLACEHOLDER_CONTENT_TYPE.png, 'Content-Length': String(png.length) }).end(png);
  };

  return {
    errors: lumenErrorFormat(ctx.doc),
    handlers,
    routes: [{ method: 'GET', path: IMAGE_ROUTE, handler: serveImage }],
    jobStatuses: STATUS_BY_PHASE,
    // In front of the real Lumen: its task read as failed (with its error) or cancelled, the images gone.
    jobOutcomeAnswer: jobOutcomeRewrite(
      'getTask',
      { code: DEFAULT_FAILURE.code, message: 'the upstream provider failed to generate the image (injected by the imagegen proxy)' },
      ({ data: _images, error: _error, ...task }, settled) => {
        if (settled.outcome === 'cancelled') return { ...task, status: STATUS_BY_PHASE.cancelled };
        if (settled.outcome !== 'failed') return undefined;
        return { ...task, status: STATUS_BY_PHASE.failed, error: { code: settled.failure?.code ?? DEFAULT_FAILURE.code, message: settled.failure?.message } };
      },
    ),
  };
}

/** The `index`th image of a task, as served and as the inspector's thumbnail shows it. */
function imageOf(job: Job<LumenTaskInput>, index: number): PlaceholderImageRequest {
  const { model, prompt, width, height } = job.input;
  return {
    format: 'png',
    width,
    height,
    seed: `${job.id}/${index}`,
    label: placeholderLabel({ api: 'Lumen', model, width, height, prompt, id: `${job.id.slice(0, 12)} #${index + 1}/${job.input.n}` }),
    provenance: { api: 'lumen', jobId: job.id, model, prompt },
  };
}

/** A documented `http`/`https` URL with a host, or the documented invalid-request error naming the field. */
function checkHttpUrl(field: string, value: string): void {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    throw problem('validation', `${field}: must be an absolute http or https URL, got ${JSON.stringify(value)}`);
  }
}

