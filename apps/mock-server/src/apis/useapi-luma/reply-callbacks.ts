import type { ImageBatchCallback } from './spec-types.js';

import type { ApiContext } from '../../core/api-context.js';
import type { JobStore } from '../../core/job-store.js';
import type { Batch, ImageInput } from './batch-records.js';
import type { UseapiLumaKeyConfig } from './keys.js';

// replyUrl callbacks: useapi.net posts the created record when a batch is accepted and the final
// record (overall status and the four images) once its last image settles. Both go through the
// context's sender, so after `close()` neither is sent nor thrown: the batch's job timers are
// cancelled, and a record falling due anyway is logged as refused.

export interface BatchRecordsForReply {
  submittedRecord(batch: Batch): ImageBatchCallback;
  finalRecord(batch: Batch): ImageBatchCallback;
}

/** Schedules the final record on the jobs' settling; `created(batch)` posts the first one. */
export function replyCallbacks(ctx: ApiContext<UseapiLumaKeyConfig>, jobs: JobStore<ImageInput>, records: BatchRecordsForReply) {
  const reply = ctx.callback('replyUrl');

  function send(batch: Batch, payload: ImageBatchCallback): void {
    if (batch.replyUrl === undefined) return;
    reply.send({ url: batch.replyUrl, payload });
  }

  jobs.onSettled((job) => {
    const batch = job.input.batch;
    batch.settledImages += 1;
    // The record is only built for a batch that has somewhere to send it: most have no replyUrl.
    if (batch.settledImages === batch.images.length && batch.replyUrl !== undefined) send(batch, records.finalRecord(batch));
  });

  return {
    /** Posts the created record, when the request gave a replyUrl. */
    created: (batch: Batch) => send(batch, records.submittedRecord(batch)),
  };
}
