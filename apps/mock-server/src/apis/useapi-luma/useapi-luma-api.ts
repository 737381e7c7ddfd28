import { randomInt, randomUUID } from 'node:crypto';

import type {
  AspectRatio,
  AssetUploaded,
  ImageBatchCallback,
  ImagesCreated,
  ImagesRequest,
  ImagesRequestEcho,
  JobDeleted,
  Model,
  Resolution,
  operations,
} from './spec-types.js';
import type { Request } from 'express';

import type { ApiContext } from '../../core/api-context.js';
import type { ApiKeyConfig, Principal } from '../../core/api-keys.js';
import { PLACEHOLDER_CONTENT_TYPE, PlaceholderImageCache, placeholderLabel } from '../../core/images/placeholder-image.js';
import type { PlaceholderImageRequest } from '../../core/images/placeholder-image.js';
import type { Job } from '../../core/job-store.js';
import { normalMediaType, sniffImage } from '../../core/images/image-type.js';
import { problem } from '../../core/problems.js';
import type { OpenApiDocument } from '../../core/spec-document.js';
import { deref } from '../../core/spec-document.js';
import { jobTiming } from '../../core/timing.js';
import type { OperationHandler, VendorApi } from '../../core/vendor-api.js';
import { contextOf, jobOutcomeRewrite, outcomeFor } from '../../core/vendor-api.js';
import { AccountDirectory, checkCanRun, checkSession } from './accounts.js';
import type { Account, UseapiLumaAccountConfig } from './accounts.js';
import { formatAssetRef, formatJobId, jobTimestamp, parseAssetRef, parseJobId, userNumberOf } from './identifiers.js';
import { loadBlockedWords, loadModelTable, pixelSize } from './model-table.js';
import { BATCH_SIZE, FAILED_IMAGE_MESSAGE, STATUS_BY_PHASE, batchRecords } from './batch-records.js';
import type { Batch, ImageInput } from './batch-records.js';
import { useapiLumaErrorFormat } from './useapi-luma-errors.js';

/** A useapi.net API token: the shared fields plus the user number its ids carry. */
export interface UseapiLumaKeyConfig extends Omit<ApiKeyConfig, 'models'> {
  /** The useapi.net user number in job ids and assetRefs (`u<user>`). Default: derived from the workspace. */
  user?: number;
}

/** Settings of the useapi.net Luma mock; every field has a default. */
export interface UseapiLumaMockConfig {
  /** Accepted tokens (`Authorization: Bearer`). Default: {@link USEAPI_LUMA_DEV_KEYS}. */
  keys?: UseapiLumaKeyConfig[];
  /** Luma accounts (email, concurrency, subscription, session). Default: {@link USEAPI_LUMA_DEV_ACCOUNTS}. */
  accounts?: UseapiLumaAccountConfig[];
  /** Words or phrases that get a prompt rejected with 422 (whole words, any case). Default: `data/useapi-luma/blocked-words.json`. */
  blockedWords?: string[];
  /** The model table (resolutions, reference rules, timing, credits). Default: `data/useapi-luma/models.json`. */
  modelsFile?: string;
}

/** Dev tokens, printed at start-up; each shows one documented behaviour. */
export const USEAPI_LUMA_DEV_KEYS: readonly UseapiLumaKeyConfig[] = [
  {
    key: 'useapi_mock_dev',
    user: 12345,
    description: 'user 12345: user@example.com runs 4 batches; email expired@example.com gives 402, session-error@example.com 596',
  },
  { key: 'useapi_mock_one_slot', workspace: 'one-slot', user: 23456, description: 'one account, solo@example.com, one batch at a time (a second answers 429)' },
  { key: 'useapi_mock_no_subscription', workspace: 'no-subscription', user: 34567, description: 'its only account has no subscription (402)' },
  { key: 'useapi_mock_session_error', workspace: 'session-error', user: 45678, description: "its only account's Luma session is broken (596)" },
];

/**
 * Dev accounts. Those without a workspace are copied into every workspace that has none of its own,
 * so a harness that passes only its own keys still gets `user@example.com` and the two failing ones.
 */
export const USEAPI_LUMA_DEV_ACCOUNTS: readonly UseapiLumaAccountConfig[] = [
  { email: 'user@example.com' },
  { email: 'expired@example.com', subscription: 'expired' },
  { email: 'session-error@example.com', session: 'error' },
  { email: 'solo@example.com', workspace: 'one-slot', concurrency: 1 },
  { email: 'expired@example.com', workspace: 'no-subscription', subscription: 'expired' },
  { email: 'session-error@example.com', workspace: 'session-error', session: 'error' },
];

/** "Maximum 20 MB" (the Upload Assets page). */
const MAX_ASSET_BYTES = 20 * 1024 * 1024;
/** Uploaded bytes kept for their CDN URLs; the oldest go first past this. */
const ASSET_BYTES_BUDGET = 256 * 1024 * 1024;
/** Under `--timing realistic` the four images of a batch finish about a second apart, as the page's callback example shows. */
const REALISTIC_IMAGE_STAGGER_MS = 1000;

interface Asset {
  owner: string;
  email: string;
  contentType: string;
  bytes: Buffer | undefined;
}

const EXTENSION_BY_TYPE: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' };

export function createUseapiLumaMock(config: UseapiLumaMockConfig, ctx: ApiContext<UseapiLumaKeyConfig>): VendorApi<UseapiLumaKeyConfig> {
  const { doc, principalOf } = ctx;
  const table = loadModelTable(doc, config.modelsFile);
  const blocked = blockedWordsPattern(config.blockedWords ?? loadBlockedWords());
  const accounts = new AccountDirectory(config.accounts ?? USEAPI_LUMA_DEV_ACCOUNTS);
  // A token without an account could never create anything (every POST /images a 400).
  for (const [index, key] of ctx.keyConfigs.entries()) {
    const workspace = key.workspace ?? key.key;
    if (!accounts.hasAccounts(workspace)) {
      throw new Error(
        `apis.useapi-luma.keys[${index}]: its workspace ${JSON.stringify(workspace)} has no Luma account; add one to apis.useapi-luma.accounts with that workspace, or one without a workspace for every workspace`,
      );
    }
  }
  const defaults = {
    model: defaultOf<Model>(doc, 'Model'),
    resolution: defaultOf<Resolution>(doc, 'Resolution'),
    aspectRatio: defaultOf<AspectRatio>(doc, 'AspectRatio'),
  };
  const jobs = ctx.jobs<ImageInput>({ outputs: (job) => [imageOf(job)] });
  const batches = ctx.expiringMap<string, Batch>((batch) => settledAt(batch) + ctx.jobRetentionMs);
  /** Image jobs by the uuid in their CDN URL: the URL stays public after the job record is deleted. */
  const imagesByUuid = ctx.expiringMap<string, Job<ImageInput>>((job) => job.settledAt + ctx.jobRetentionMs);
  const assets = new Map<string, Asset>();
  let assetBytes = 0;
  ctx.onReset(() => {
    assets.clear();
    assetBytes = 0;
    accounts.clear();
  });
  const images = new PlaceholderImageCache();
  const reply = ctx.callback('replyUrl');

  jobs.onSettled((job) => {
    const batch = job.input.batch;
    batch.settledImages += 1;
    if (batch.settledImages === batch.images.length) sendReply(batch, finalRecord(batch));
  });

  const userOf = (principal: Principal<UseapiLumaKeyConfig>) => principal.config.user ?? userNumberOf(principal.workspace);
  const imageUrl = (origin: string, uuid: string) => ctx.url(origin, `/cdn/dream-machine/${uuid}/image.jpg`);
  const { iso, settledAt, imageView, batchView, submittedRecord, finalRecord } = batchRecords(jobs, imageUrl);

  function sendReply(batch: Batch, payload: ImageBatchCallback): void {
    if (batch.replyUrl === undefined) return;
    reply.send({ url: batch.replyUrl, payload });
  }

  /** The account a request runs on, by its references, its `email`, or auto-selection; 400/402/429/596 as documented. */
  function accountFor(body: ImagesRequest, principal: Principal<UseapiLumaKeyConfig>, refs: Array<[string, string]>): Account {
    const workspace = principal.workspace;
    if (refs.length > 0) {
      const owners = refs.map(([field, ref]) => [field, ref, assetOwner(field, ref, principal)] as const);
      const email = owners[0]![2];
      const other = owners.find(([, , owner]) => owner.toLowerCase() !== email.toLowerCase());
      if (other) {
        throw problem('validation', `All references must belong to the same account: ${owners[0]![0]} is on ${email}, ${other[0]} on ${other[2]}`);
      }
      if (body.email !== undefined && body.email.toLowerCase() !== email.toLowerCase()) {
        throw problem('validation', `Parameter email (${body.email}) must match the account of the references (${email})`);
      }
      return runnable(workspace, email);
    }
    if (body.email !== undefined) return runnable(workspace, body.email);
    return accounts.pick(workspace);
  }

  function runnable(workspace: string, email: string): Account {
    const account = accounts.named(workspace, email);
    if (!account) throw problem('validation', `Unable to find configuration for email ${email}`);
    checkCanRun(account);
    return account;
  }

  /** The account an assetRef belongs to, refusing refs of other users and refs never uploaded. */
  function assetOwner(field: string, ref: string, principal: Principal<UseapiLumaKeyConfig>): string {
    const parsed = parseAssetRef(ref);
    if (!parsed || parsed.user !== userOf(principal)) {
      throw problem('validation', `Parameter ${field} (${ref}) is not an assetRef of this user`);
    }
    const asset = assets.get(parsed.uuid);
    if (!asset || asset.owner !== principal.workspace || asset.email.toLowerCase() !== parsed.email.toLowerCase()) {
      throw problem('validation', `Parameter ${field} (${ref}) is not an uploaded asset; upload the image with POST /assets/${parsed.email} and pass its assetRef`);
    }
    return asset.email;
  }

  /** `Prefer: failed-images=<0-4>`: the last N images of the batch fail, the others follow `Prefer: job-status`. */
  function failedImagesWanted(req: Request): number {
    const raw = contextOf(req).prefer.get('failed-images');
    if (raw === undefined) return 0;
    if (!/^[0-4]$/.test(raw)) {
      const message = `Prefer: failed-images=${raw} must be a number of images from 0 to ${BATCH_SIZE}`;
      throw problem('validation', message, { fields: { Prefer: [message] }, mockControl: true });
    }
    return Number(raw);
  }

  function createBatch(req: Request): Batch {
    const principal = principalOf(req);
    const body = req.body as ImagesRequest;
    const refs = (['imageRef1', 'imageRef2', 'imageRef3', 'imageRef4'] as const).flatMap((field) => {
      const ref = body[field];
      return ref === undefined ? [] : [[field, ref] as [string, string]];
    });
    const failedImages = failedImagesWanted(req);
    // A webhook is an HTTP POST: another scheme could never be called back.
    if (body.replyUrl !== undefined && !/^https?:\/\//i.test(body.replyUrl)) {
      throw problem('validation', `Parameter replyUrl (${body.replyUrl}) must be an http or https URL`);
    }
    const account = accountFor(body, principal, refs);
    if (blocked?.test(body.prompt)) throw problem('moderation', 'Content moderation: prompt rejected');

    const model = body.model ?? defaults.model;
    const entry = table.models[model];
    const resolution = refs.length > 0 && entry.referencesLockResolution !== null ? entry.referencesLockResolution : (body.resolution ?? defaults.resolution);
    const aspectRatio = body.aspect_ratio ?? defaults.aspectRatio;
    const { width, height } = pixelSize(table, resolution, aspectRatio);
    const request: ImagesRequestEcho = {
      prompt: body.prompt,
      model,
      resolution,
      aspect_ratio: aspectRatio,
      ...(refs.length > 0 ? { imageRefs: refs.map(([, ref]) => ref) } : {}),
    };

    const now = ctx.clock.now();
    const timestamp = jobTimestamp(now, randomInt(1_000_000));
    const user = userOf(principal);
    const uuids = Array.from({ length: BATCH_SIZE + 1 }, () => randomUUID());
    const batch: Batch = {
      jobid: formatJobId(timestamp, user, account.email, uuids[0]!),
      jobids: uuids.slice(1).map((uuid) => formatJobId(timestamp, user, account.email, uuid)),
      owner: principal.workspace,
      account,
      createdAt: now,
      request,
      origin: ctx.originOf(req),
      replyUrl: body.replyUrl,
      replyRef: body.replyRef,
      images: [],
      settledImages: 0,
      deleted: false,
      holdsSlot: () => !batch.deleted && ctx.clock.now() < settledAt(batch),
    };
    batches.set(batch.jobid, batch);
    const requested = outcomeFor(req, { message: FAILED_IMAGE_MESSAGE });
    const timing = jobTiming(ctx.timing, entry.typicalSeconds[resolution] * 1000);
    batch.images = batch.jobids.map((jobid, index) => {
      const fails = index >= BATCH_SIZE - failedImages;
      const job = jobs.create({
        id: jobid,
        owner: principal.workspace,
        input: { batch, index, uuid: uuids[index + 1]!, width, height, credits: entry.creditsPerImage[resolution] },
        timing: ctx.timing === 'realistic' ? { ...timing, runningMs: timing.runningMs + index * REALISTIC_IMAGE_STAGGER_MS } : timing,
        ...(fails ? { outcome: 'failed' as const, failure: requested.failure ?? { message: FAILED_IMAGE_MESSAGE } } : requested),
      });
      imagesByUuid.set(job.input.uuid, job);
      return job;
    });
    account.take(batch);
    return batch;
  }

  /** The caller's batch with this id, or undefined; another user's batch is a 403, a malformed id a 400. */
  function ownBatch(jobid: string, principal: Principal<UseapiLumaKeyConfig>): Batch | undefined {
    if (!parseJobId(jobid)) throw problem('validation', 'Invalid jobid');
    const batch = batches.get(jobid);
    if (!batch) return undefined;
    if (batch.owner !== principal.workspace) throw problem('permission_denied', 'Job does not belong to this user');
    return batch;
  }

  /** Neither a batch nor an image job of the caller: 403 when the id names another user, else 404. */
  function unknownJob(jobid: string, principal: Principal<UseapiLumaKeyConfig>): never {
    if (parseJobId(jobid)!.user !== userOf(principal)) throw problem('permission_denied', 'Job does not belong to this user');
    throw problem('not_found', 'Job not found');
  }

  function keepAssetBytes(uuid: string, asset: Asset): void {
    assets.set(uuid, asset);
    assetBytes += asset.bytes?.length ?? 0;
    for (const [, old] of assets) {
      if (assetBytes <= ASSET_BYTES_BUDGET) break;
      assetBytes -= old.bytes?.length ?? 0;
      old.bytes = undefined;
    }
  }

  const handlers = {
    createImages(req, res) {
      const batch = createBatch(req);
      const created: ImagesCreated = {
        jobid: batch.jobid,
        jobids: batch.jobids,
        type: 'image',
        status: 'created',
        count: BATCH_SIZE,
        created: iso(batch.createdAt),
        request: batch.request,
      };
      sendReply(batch, submittedRecord(batch));
      res.json(created);
    },

    getJob(req, res) {
      const principal = principalOf(req);
      const jobid = String(req.params.jobid);
      const batch = ownBatch(jobid, principal);
      if (batch) {
        res.json(batchView(batch));
        return;
      }
      const job = jobs.get(jobid, principal.workspace);
      if (!job) unknownJob(jobid, principal);
      res.json(imageView(job, ctx.originOf(req)));
    },

    deleteJob(req, res) {
      const principal = principalOf(req);
      const jobid = String(req.params.jobid);
      const deleted: JobDeleted = { jobid, deleted: true };
      const batch = ownBatch(jobid, principal);
      if (batch) {
        // Deleting a batch frees its slot at once, as the 429 advice says; images still generating stop.
        batch.deleted = true;
        batches.delete(jobid);
        for (const image of batch.images) jobs.cancel(image);
        res.json(deleted);
        return;
      }
      const job = jobs.get(jobid, principal.workspace);
      if (!job) unknownJob(jobid, principal);
      if (!jobs.delete(job)) {
        const status = imageView(job, '').status;
        throw problem('job_not_terminal', `Cannot delete job in state '${status}'. Wait for completion, or delete its batch ${job.input.batch.jobid} to stop it.`);
      }
      res.json(deleted);
    },

    uploadAsset(req, res) {
      const principal = principalOf(req);
      const email = String(req.params.email);
      const account = accounts.named(principal.workspace, email);
      if (!account) throw problem('not_found', `Unable to find configuration for email ${email}`);
      checkSession(account);
      const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (bytes.length === 0) throw problem('validation', 'Content is empty');
      if (bytes.length > MAX_ASSET_BYTES) {
        throw problem('validation', `File too large (${bytes.length} bytes). Maximum: ${MAX_ASSET_BYTES / 1024 / 1024} MB`);
      }
      const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      // "JPEG, PNG or WebP": the bytes must be the image the Content-Type says.
      const sniffed = sniffImage(bytes);
      if (sniffed === undefined || !(sniffed.mediaType in EXTENSION_BY_TYPE)) {
        throw problem('validation', `File content is not a JPEG, PNG or WebP image${sniffed ? ` (it is a ${sniffed.name})` : ''}. Valid: ${Object.keys(EXTENSION_BY_TYPE).join(', ')}`);
      }
      if (sniffed.mediaType !== normalMediaType(contentType)) {
        throw problem('validation', `Content-Type (${contentType}) does not match the file, which is a ${sniffed.name} image (${sniffed.mediaType})`);
      }
      const uuid = randomUUID();
      keepAssetBytes(uuid, { owner: principal.workspace, email: account.email, contentType, bytes });
      const uploaded: AssetUploaded = {
        assetRef: formatAssetRef(userOf(principal), account.email, uuid),
        email: account.email,
        upload: { id: uuid, media: { url: ctx.url(req, `/cdn/uploads/${uuid}.${EXTENSION_BY_TYPE[contentType] ?? 'bin'}`) } },
      };
      res.json(uploaded);
    },
  } satisfies { [OperationId in keyof operations]: OperationHandler };

  return {
    errors: useapiLumaErrorFormat(doc),
    handlers,
    jobStatuses: STATUS_BY_PHASE,
    // A failed job carries only a message: Prefer: job-error-code is refused, naming why.
    failureCodes: [],
    mockPreferences: ['failed-images'],
    // In front of the real useapi.net: one image job read as failed (its statuses have no cancelled), image and credits gone.
    jobOutcomeAnswer: jobOutcomeRewrite('getJob', { message: FAILED_IMAGE_MESSAGE }, (job, settled) => {
      if (typeof job.jobid !== 'string' || job.type !== 'image') return undefined;
      const updated = job.updated ?? new Date(ctx.clock.now()).toISOString();
      return { ...job, status: STATUS_BY_PHASE.failed, updated, response: null, credits: null, error: settled.failure?.message ?? FAILED_IMAGE_MESSAGE };
    }),
    routes: [
      {
        // The public CDN URL of a finished image, like Luma's storage.cdn-luma.com: no token needed.
        method: 'GET',
        path: '/cdn/dream-machine/{uuid}/image.jpg',
        async handler(req, res) {
          const job = imagesByUuid.get(String(req.params.uuid).toLowerCase());
          if (!job || jobs.phase(job) !== 'succeeded' || ctx.clock.now() >= job.settledAt + ctx.jobRetentionMs) {
            throw problem('not_found', `No image at ${req.path}`);
          }
          const jpeg = await images.render(imageOf(job));
          res.status(200).set({ 'Content-Type': PLACEHOLDER_CONTENT_TYPE.jpeg, 'Content-Length': String(jpeg.length), 'Cache-Control': 'public, max-age=31536000, immutable' }).end(jpeg);
        },
      },
      {
        // An uploaded reference image, at the URL `upload.media.url` gave.
        method: 'GET',
        path: '/cdn/uploads/{file}',
        handler(req, res) {
          const uuid = /^([0-9a-f-]{36})\.[a-z]+$/i.exec(String(req.params.file))?.[1]?.toLowerCase();
          const asset = uuid === undefined ? undefined : assets.get(uuid);
          if (!asset?.bytes) throw problem('not_found', `No upload at ${req.path}`);
          res.status(200).set({ 'Content-Type': asset.contentType, 'Content-Length': String(asset.bytes.length) }).end(asset.bytes);
        },
      },
    ],
  };
}

/** The schema's `default`, read from the spec rather than copied. */
function defaultOf<T>(doc: OpenApiDocument, schema: string): T {
  const value = deref<{ default?: unknown } | undefined>(doc, doc.components?.schemas?.[schema])?.default;
  if (value === undefined) throw new Error(`spec/useapi-luma gives ${schema} no default`);
  return value as T;
}

/** One pattern for the whole list: any listed word or phrase as a whole word, in any case. */
function blockedWordsPattern(words: readonly string[]): RegExp | undefined {
  const alternatives = words
    .map((word) => word.trim())
    .filter((word) => word !== '')
    .map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+'));
  return alternatives.length === 0 ? undefined : new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}])`, 'iu');
}

/** The image of one job of a batch, as its CDN URL serves it and as the inspector's thumbnail shows it. */
function imageOf(job: Job<ImageInput>): PlaceholderImageRequest {
  const { batch, index, uuid, width, height } = job.input;
  return {
    format: 'jpeg',
    width,
    height,
    seed: job.id,
    label: placeholderLabel({ api: 'useapi.net Luma', model: batch.request.model, width, height, prompt: batch.request.prompt, id: `${uuid.slice(0, 8)} ${index + 1}/${BATCH_SIZE}` }),
    provenance: { api: 'useapi-luma', jobId: job.id, model: batch.request.model, prompt: batch.request.prompt },
  };
}
