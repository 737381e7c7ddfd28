import type { operations } from './spec-types.js';

import type { ApiContext } from '../../core/api-context.js';
import type { OperationHandler, VendorApi } from '../../core/vendor-api.js';
import { jobOutcomeRewrite } from '../../core/vendor-api.js';
import { AccountDirectory, USEAPI_LUMA_DEV_ACCOUNTS, checkTokensHaveAccounts } from './accounts.js';
import type { UseapiLumaAccountConfig } from './accounts.js';
import { assetUploads } from './assets.js';
import { batchLookup } from './batch-lookup.js';
import { FAILED_IMAGE_MESSAGE, STATUS_BY_PHASE, batchRecords } from './batch-records.js';
import type { Batch, ImageInput } from './batch-records.js';
import { batchSubmission } from './batch-submission.js';
import type { SubmissionSettings } from './batch-submission.js';
import { imageCdn, imageOf } from './image-cdn.js';
import type { UseapiLumaKeyConfig } from './keys.js';
import { replyCallbacks } from './reply-callbacks.js';
import { useapiLumaErrorFormat } from './useapi-luma-errors.js';

// The useapi.net Luma mock composed from its parts: submission (batch-submission.ts), replyUrl
// callbacks (reply-callbacks.ts), job lookups (batch-lookup.ts), uploads (assets.ts) and the CDN
// (image-cdn.ts), over one job store and one batch map lent by the API context.

/** Settings of the useapi.net Luma mock (`blockedWords` and `modelsFile` from {@link SubmissionSettings}); every field has a default. */
export interface UseapiLumaMockConfig extends SubmissionSettings {
  /** Accepted tokens (`Authorization: Bearer`). Default: {@link USEAPI_LUMA_DEV_KEYS}. */
  keys?: UseapiLumaKeyConfig[];
  /** Luma accounts (email, concurrency, subscription, session). Default: {@link USEAPI_LUMA_DEV_ACCOUNTS}. */
  accounts?: UseapiLumaAccountConfig[];
}

export function createUseapiLumaMock(config: UseapiLumaMockConfig, ctx: ApiContext<UseapiLumaKeyConfig>): VendorApi<UseapiLumaKeyConfig> {
  const accounts = new AccountDirectory(config.accounts ?? USEAPI_LUMA_DEV_ACCOUNTS);
  checkTokensHaveAccounts(ctx.keyConfigs, accounts);
  ctx.onReset(() => accounts.clear());
  const jobs = ctx.jobs<ImageInput>({ outputs: (job) => [imageOf(job)] });
  const cdn = imageCdn(ctx, jobs);
  const records = batchRecords(jobs, cdn.url);
  const batches = ctx.expiringMap<string, Batch>((batch) => records.settledAt(batch) + ctx.jobRetentionMs);
  const uploads = assetUploads(ctx, accounts);
  const replies = replyCallbacks(ctx, jobs, records);
  const submit = batchSubmission({ ctx, settings: config, accounts, jobs, batches, settledAt: records.settledAt, assetOwner: uploads.ownerOf, onImage: cdn.publish });
  const lookup = batchLookup({ ctx, jobs, batches, records });

  const handlers = {
    createImages(req, res) {
      const batch = submit(req);
      replies.created(batch);
      res.json(records.createdAnswer(batch));
    },
    getJob: lookup.getJob,
    deleteJob: lookup.deleteJob,
    uploadAsset: uploads.upload,
  } satisfies { [OperationId in keyof operations]: OperationHandler };

  return {
    errors: useapiLumaErrorFormat(ctx.doc),
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
    routes: [cdn.route, uploads.route],
  };
}
