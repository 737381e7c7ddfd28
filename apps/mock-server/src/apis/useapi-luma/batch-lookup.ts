import type { JobDeleted } from './spec-types.js';

import type { ApiContext } from '../../core/api-context.js';
import type { Principal } from '../../core/api-keys.js';
import type { ExpiringMap } from '../../core/expiring-map.js';
import type { JobStore } from '../../core/job-store.js';
import { problem } from '../../core/problems.js';
import type { OperationHandler } from '../../core/vendor-api.js';
import type { Batch, ImageInput, batchRecords } from './batch-records.js';
import { parseJobId } from './identifiers.js';
import type { UseapiLumaKeyConfig } from './keys.js';
import { userOf } from './keys.js';

// GET and DELETE /jobs/{jobid}: one id space for batches (the parent job) and their image jobs;
// another user's id answers 403, an unknown one of the caller's 404.

export interface LookupDeps {
  ctx: ApiContext<UseapiLumaKeyConfig>;
  jobs: JobStore<ImageInput>;
  batches: ExpiringMap<string, Batch>;
  records: Pick<ReturnType<typeof batchRecords>, 'batchView' | 'imageView'>;
}

export function batchLookup({ ctx, jobs, batches, records }: LookupDeps) {
  /** The caller's batch with this id, or undefined; another user's batch is a 403, a malformed id a 400. */
  function ownBatch(jobid: string, principal: Principal<UseapiLumaKeyConfig>): Batch | undefined {
    const batch = batches.get(jobid);
    if (!batch) {
      if (!parseJobId(jobid)) throw problem('validation', 'Invalid jobid');
      return undefined;
    }
    // An id this server made is well formed: only others are parsed (a poll of a batch reads one).
    if (batch.owner !== principal.workspace) throw problem('permission_denied', 'Job does not belong to this user');
    return batch;
  }

  /** Neither a batch nor an image job of the caller: 403 when the id names another user, else 404. */
  function unknownJob(jobid: string, principal: Principal<UseapiLumaKeyConfig>): never {
    if (parseJobId(jobid)!.user !== userOf(principal)) throw problem('permission_denied', 'Job does not belong to this user');
    throw problem('not_found', 'Job not found');
  }

  const getJob: OperationHandler = (req, res) => {
    const principal = ctx.principalOf(req);
    const jobid = String(req.params.jobid);
    const batch = ownBatch(jobid, principal);
    if (batch) {
      res.json(records.batchView(batch));
      return;
    }
    const job = jobs.get(jobid, principal.workspace);
    if (!job) unknownJob(jobid, principal);
    res.json(records.imageView(job, ctx.originOf(req)));
  };

  const deleteJob: OperationHandler = (req, res) => {
    const principal = ctx.principalOf(req);
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
      const status = records.imageView(job, '').status;
      throw problem('job_not_terminal', `Cannot delete job in state '${status}'. Wait for completion, or delete its batch ${job.input.batch.jobid} to stop it.`);
    }
    res.json(deleted);
  };

  return { getJob, deleteJob };
}
