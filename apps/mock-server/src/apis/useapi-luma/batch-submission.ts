import { randomInt, randomUUID } from 'node:crypto';

import type { AspectRatio, ImagesRequest, ImagesRequestEcho, Model, Resolution } from './spec-types.js';
import type { Request } from 'express';

import type { ApiContext } from '../../core/api-context.js';
import type { Principal } from '../../core/api-keys.js';
import type { JobStore, Job } from '../../core/job-store.js';
import { problem } from '../../core/problems.js';
import type { OpenApiDocument } from '../../core/spec-document.js';
import { deref } from '../../core/spec-document.js';
import { jobTiming } from '../../core/timing.js';
import { contextOf, outcomeFor } from '../../core/vendor-api.js';
import type { ExpiringMap } from '../../core/expiring-map.js';
import type { Account, AccountDirectory } from './accounts.js';
import { checkCanRun } from './accounts.js';
import { BATCH_SIZE, FAILED_IMAGE_MESSAGE } from './batch-records.js';
import type { Batch, ImageInput } from './batch-records.js';
import { formatJobId, jobTimestamp } from './identifiers.js';
import type { UseapiLumaKeyConfig } from './keys.js';
import { userOf } from './keys.js';
import { loadBlockedWords, loadModelTable, pixelSize } from './model-table.js';
import type { ModelEntry, ModelTable } from './model-table.js';

// POST /images: from a request to a batch of four image jobs on one account, every documented
// refusal (400, 402, 422, 429, 596) thrown as a problem before anything is created.

/** Under `--timing realistic` the four images of a batch finish about a second apart, as the page's callback example shows. */
const REALISTIC_IMAGE_STAGGER_MS = 1000;
const REFERENCE_FIELDS = ['imageRef1', 'imageRef2', 'imageRef3', 'imageRef4'] as const;

/** The settings of the useapi.net mock that submission reads. */
export interface SubmissionSettings {
  /** Words or phrases that get a prompt rejected with 422 (whole words, any case). Default: `data/useapi-luma/blocked-words.json`. */
  blockedWords?: string[];
  /** The model table (resolutions, reference rules, timing, credits). Default: `data/useapi-luma/models.json`. */
  modelsFile?: string;
}

/** The spec's defaults for what a request may leave out. */
export interface RequestDefaults {
  model: Model;
  resolution: Resolution;
  aspectRatio: AspectRatio;
}

/** What a batch will render: the request as echoed back, its model's table entry and the pixel size. */
export interface ResolvedRequest {
  request: ImagesRequestEcho;
  entry: ModelEntry;
  resolution: Resolution;
  width: number;
  height: number;
}

/** The spec's defaults, read from its schemas rather than copied. */
export function requestDefaults(doc: OpenApiDocument): RequestDefaults {
  return { model: defaultOf<Model>(doc, 'Model'), resolution: defaultOf<Resolution>(doc, 'Resolution'), aspectRatio: defaultOf<AspectRatio>(doc, 'AspectRatio') };
}

/**
 * The request with its defaults filled in, as the created record echoes it. A model whose
 * references lock the resolution ("images with references are 1080p") gets that resolution
 * whenever references are given, whatever was asked.
 */
export function resolveRequest(body: ImagesRequest, refs: readonly string[], table: ModelTable, defaults: RequestDefaults): ResolvedRequest {
  const model = body.model ?? defaults.model;
  const entry = table.models[model];
  const resolution = refs.length > 0 && entry.referencesLockResolution !== null ? entry.referencesLockResolution : (body.resolution ?? defaults.resolution);
  const aspectRatio = body.aspect_ratio ?? defaults.aspectRatio;
  const { width, height } = pixelSize(table, resolution, aspectRatio);
  const request: ImagesRequestEcho = { prompt: body.prompt, model, resolution, aspect_ratio: aspectRatio, ...(refs.length > 0 ? { imageRefs: [...refs] } : {}) };
  return { request, entry, resolution, width, height };
}

/** One pattern for the whole list: any listed word or phrase as a whole word, in any case; undefined for none. */
export function blockedWordsPattern(words: readonly string[]): RegExp | undefined {
  const alternatives = words
    .map((word) => word.trim())
    .filter((word) => word !== '')
    .map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+'));
  return alternatives.length === 0 ? undefined : new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}])`, 'iu');
}

/** `Prefer: failed-images=<0-4>`: the last N images of the batch fail, the others follow `Prefer: job-status`. */
export function failedImagesWanted(req: Request): number {
  const raw = contextOf(req).prefer.get('failed-images');
  if (raw === undefined) return 0;
  if (!/^[0-4]$/.test(raw)) {
    const message = `Prefer: failed-images=${raw} must be a number of images from 0 to ${BATCH_SIZE}`;
    throw problem('validation', message, { fields: { Prefer: [message] }, mockControl: true });
  }
  return Number(raw);
}

export interface SubmissionDeps {
  ctx: ApiContext<UseapiLumaKeyConfig>;
  settings: SubmissionSettings;
  accounts: AccountDirectory;
  jobs: JobStore<ImageInput>;
  batches: ExpiringMap<string, Batch>;
  settledAt: (batch: Batch) => number;
  /** The account an uploaded assetRef belongs to; throws for a ref that is not the caller's upload. */
  assetOwner: (field: string, ref: string, principal: Principal<UseapiLumaKeyConfig>) => string;
  /** Called with each image job as it is created (the CDN publishes it). */
  onImage: (job: Job<ImageInput>) => void;
}

/** `submit(req)`: the batch a POST /images creates, its four jobs started on the clock and its slot taken. */
export function batchSubmission({ ctx, settings, accounts, jobs, batches, settledAt, assetOwner, onImage }: SubmissionDeps) {
  const table = loadModelTable(ctx.doc, settings.modelsFile);
  const blocked = blockedWordsPattern(settings.blockedWords ?? loadBlockedWords());
  const defaults = requestDefaults(ctx.doc);

  /** The account a request runs on, by its references, its `email`, or auto-selection; 400/402/429/596 as documented. */
  function accountFor(body: ImagesRequest, principal: Principal<UseapiLumaKeyConfig>, refs: ReadonlyArray<readonly [string, string]>): Account {
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

  /** The four image jobs, the last `failedImages` of them failing. */
  function startImages(req: Request, batch: Batch, resolved: ResolvedRequest, uuids: readonly string[], failedImages: number): Array<Job<ImageInput>> {
    const { entry, resolution, width, height } = resolved;
    const requested = outcomeFor(req, { message: FAILED_IMAGE_MESSAGE });
    const timing = jobTiming(ctx.timing, entry.typicalSeconds[resolution] * 1000);
    return batch.jobids.map((jobid, index) => {
      const fails = index >= BATCH_SIZE - failedImages;
      const job = jobs.create({
        id: jobid,
        owner: batch.owner,
        input: { batch, index, uuid: uuids[index]!, width, height, credits: entry.creditsPerImage[resolution] },
        timing: ctx.timing === 'realistic' ? { ...timing, runningMs: timing.runningMs + index * REALISTIC_IMAGE_STAGGER_MS } : timing,
        ...(fails ? { outcome: 'failed' as const, failure: requested.failure ?? { message: FAILED_IMAGE_MESSAGE } } : requested),
      });
      onImage(job);
      return job;
    });
  }

  return function submit(req: Request): Batch {
    const principal = ctx.principalOf(req);
    const body = req.body as ImagesRequest;
    const refs = REFERENCE_FIELDS.flatMap((field) => (body[field] === undefined ? [] : [[field, body[field]] as const]));
    const failedImages = failedImagesWanted(req);
    // A webhook is an HTTP POST: another scheme could never be called back.
    if (body.replyUrl !== undefined && !/^https?:\/\//i.test(body.replyUrl)) {
      throw problem('validation', `Parameter replyUrl (${body.replyUrl}) must be an http or https URL`);
    }
    const account = accountFor(body, principal, refs);
    if (blocked?.test(body.prompt)) throw problem('moderation', 'Content moderation: prompt rejected');
    const resolved = resolveRequest(body, refs.map(([, ref]) => ref), table, defaults);

    const now = ctx.clock.now();
    const timestamp = jobTimestamp(now, randomInt(1_000_000));
    const user = userOf(principal);
    const [parent, ...uuids] = Array.from({ length: BATCH_SIZE + 1 }, () => randomUUID());
    const batch: Batch = {
      jobid: formatJobId(timestamp, user, account.email, parent!),
      jobids: uuids.map((uuid) => formatJobId(timestamp, user, account.email, uuid)),
      owner: principal.workspace,
      account,
      createdAt: now,
      request: resolved.request,
      origin: ctx.originOf(req),
      replyUrl: body.replyUrl,
      replyRef: body.replyRef,
      images: [],
      settledImages: 0,
      deleted: false,
      holdsSlot: () => !batch.deleted && ctx.clock.now() < settledAt(batch),
    };
    batches.set(batch.jobid, batch);
    batch.images = startImages(req, batch, resolved, uuids, failedImages);
    account.take(batch);
    return batch;
  };
}

/** The schema's `default`, read from the spec rather than copied. */
function defaultOf<T>(doc: OpenApiDocument, schema: string): T {
  const value = deref<{ default?: unknown } | undefined>(doc, doc.components?.schemas?.[schema])?.default;
  if (value === undefined) throw new Error(`spec/useapi-luma gives ${schema} no default`);
  return value as T;
}
