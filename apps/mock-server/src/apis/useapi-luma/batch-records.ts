import type { ImageBatchCallback, ImageJob, ImagesCreated, ImagesRequestEcho, JobStatus } from './spec-types.js';

import { isoTime as iso } from '../../core/iso-time.js';
import type { Job, JobPhase, JobStore } from '../../core/job-store.js';
import { isTerminalPhase } from '../../core/job-store.js';
import type { Account, SlotHolder } from './accounts.js';

// A batch and its four image jobs, and how useapi.net shows them: GET /jobs answers and the
// replyUrl records.

/** Images per batch: "Each request produces a batch of 4 images" (the spec's `count` enum). */
export const BATCH_SIZE: ImagesCreated['count'] = 4;
export const FAILED_IMAGE_MESSAGE = 'Image generation failed';

/** useapi.net's words for an image job's phases, checked against the spec's JobStatus enum. */
export const STATUS_BY_PHASE = {
  queued: 'pending',
  running: 'processing',
  succeeded: 'completed',
  failed: 'failed',
} as const satisfies Record<Exclude<JobPhase, 'cancelled'>, JobStatus>;

/** What one image job renders, fixed at creation. */
export interface ImageInput {
  batch: Batch;
  /** 0-3, its place in `jobids`. */
  index: number;
  uuid: string;
  width: number;
  height: number;
  credits: number;
}

/** A batch: the parent job, its four image jobs, and the slot it holds. */
export interface Batch extends SlotHolder {
  jobid: string;
  jobids: string[];
  owner: string;
  account: Account;
  createdAt: number;
  request: ImagesRequestEcho;
  /** The origin its image URLs are built on: the one the batch was created through. */
  origin: string;
  replyUrl: string | undefined;
  replyRef: string | undefined;
  images: Array<Job<ImageInput>>;
  settledImages: number;
  deleted: boolean;
}

/** The views of batches and image jobs over one job store; image URLs from `imageUrl`. */
export function batchRecords(jobs: JobStore<ImageInput>, imageUrl: (origin: string, uuid: string) => string) {
  const settledAt = (batch: Batch) => Math.max(...batch.images.map((image) => image.settledAt));

  function imageView(job: Job<ImageInput>, origin: string): ImageJob {
    const phase = jobs.phase(job);
    const view: ImageJob = { jobid: job.id, type: 'image', status: STATUS_BY_PHASE.queued, created: iso(job.createdAt), updated: null, response: null, credits: null };
    switch (phase) {
      case 'queued':
        return view;
      case 'running':
        return { ...view, status: STATUS_BY_PHASE.running, updated: iso(job.startedAt) };
      case 'succeeded': {
        // Written out in the view's field order rather than spread over it: a finished image is polled over and over.
        const { uuid, width, height, credits } = job.input;
        view.status = STATUS_BY_PHASE.succeeded;
        view.updated = iso(job.settledAt);
        view.response = { image: { media_type: 'image', url: imageUrl(origin, uuid), width, height } };
        view.credits = { dm_usage: credits, dm_relaxed_usage: null };
        return view;
      }
      case 'failed':
      case 'cancelled':
        // The page's statuses have no "cancelled": an image its batch's deletion stopped has failed.
        return { ...view, status: STATUS_BY_PHASE.failed, updated: iso(job.settledAt), error: imageError(job, phase)! };
    }
  }

  /** The `error` an image job's view shows in this phase; undefined in a phase that shows none. */
  function imageError(job: Job<ImageInput>, phase: JobPhase): string | undefined {
    if (phase === 'failed') return job.failure?.message ?? FAILED_IMAGE_MESSAGE;
    if (phase === 'cancelled') return `Deleted before it finished: DELETE /jobs/${job.input.batch.jobid}`;
    return undefined;
  }

  /** The parent job as GET /jobs/{jobid} shows it: the batch's overall status, the images at their own ids. */
  function batchView(batch: Batch): ImageJob {
    const phases = batch.images.map((image) => jobs.phase(image));
    const view: ImageJob = { jobid: batch.jobid, type: 'image', status: 'created', created: iso(batch.createdAt), updated: null, response: null, credits: null };
    if (phases.every((phase) => phase === 'queued')) return view;
    if (!phases.every(isTerminalPhase)) {
      return { ...view, status: STATUS_BY_PHASE.running, updated: iso(Math.min(...batch.images.map((image) => image.startedAt))) };
    }
    const outcome = overallOutcome(batch);
    return { ...view, ...outcome, updated: iso(settledAt(batch)) };
  }

  /** "Overall status is completed if any image in the batch succeeded." */
  function overallOutcome(batch: Batch): { status: 'completed' | 'failed'; error?: string } {
    // From the phases, without building the four image views (a finished batch is polled over and over).
    let error: string | undefined;
    for (const image of batch.images) {
      const phase = jobs.phase(image);
      if (phase === 'succeeded') return { status: 'completed' };
      error ??= imageError(image, phase);
    }
    return { status: 'failed', error: error ?? FAILED_IMAGE_MESSAGE };
  }

  /** POST /images's answer: the batch as just created. */
  function createdAnswer(batch: Batch): ImagesCreated {
    return { jobid: batch.jobid, jobids: batch.jobids, type: 'image', status: 'created', count: BATCH_SIZE, created: iso(batch.createdAt), request: batch.request };
  }

  /** The replyUrl record posted at creation: the answer, with the request's `replyRef`. */
  function submittedRecord(batch: Batch): ImageBatchCallback {
    return { ...createdAnswer(batch), ...(batch.replyRef === undefined ? {} : { replyRef: batch.replyRef }) };
  }

  function finalRecord(batch: Batch): ImageBatchCallback {
    return {
      ...submittedRecord(batch),
      ...overallOutcome(batch),
      updated: iso(settledAt(batch)),
      images: batch.images.map((image) => imageView(image, batch.origin)),
    };
  }

  return { settledAt, imageView, batchView, createdAnswer, submittedRecord, finalRecord };
}
