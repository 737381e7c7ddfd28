import type { ApiContext } from '../../core/api-context.js';
import { PLACEHOLDER_CONTENT_TYPE, PlaceholderImageCache, placeholderLabel } from '../../core/images/placeholder-image.js';
import type { PlaceholderImageRequest } from '../../core/images/placeholder-image.js';
import type { Job, JobStore } from '../../core/job-store.js';
import { problem } from '../../core/problems.js';
import type { ExtraRoute } from '../../core/vendor-api.js';
import { BATCH_SIZE } from './batch-records.js';
import type { ImageInput } from './batch-records.js';
import type { UseapiLumaKeyConfig } from './keys.js';

// Finished images on the mock's stand-in for Luma's CDN (storage.cdn-luma.com): public URLs by the
// image's uuid, served without a token, kept while the job would be.

/** The image of one job of a batch, as its CDN URL serves it and as the inspector's thumbnail shows it. */
export function imageOf(job: Job<ImageInput>): PlaceholderImageRequest {
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

/** The CDN: `url(origin, uuid)` for an image job's answer, `publish(job)` once it is created, and the route. */
export function imageCdn(ctx: ApiContext<UseapiLumaKeyConfig>, jobs: JobStore<ImageInput>) {
  /** Image jobs by the uuid in their CDN URL: the URL stays public after the job record is deleted. */
  const byUuid = ctx.expiringMap<string, Job<ImageInput>>((job) => job.settledAt + ctx.jobRetentionMs);
  const images = new PlaceholderImageCache();

  const route: ExtraRoute = {
    // The public CDN URL of a finished image, like Luma's storage.cdn-luma.com: no token needed.
    method: 'GET',
    path: '/cdn/dream-machine/{uuid}/image.jpg',
    async handler(req, res) {
      const job = byUuid.get(String(req.params.uuid).toLowerCase());
      if (!job || jobs.phase(job) !== 'succeeded' || ctx.clock.now() >= job.settledAt + ctx.jobRetentionMs) {
        throw problem('not_found', `No image at ${req.path}`);
      }
      const jpeg = await images.render(imageOf(job));
      res.status(200).set({ 'Content-Type': PLACEHOLDER_CONTENT_TYPE.jpeg, 'Content-Length': String(jpeg.length), 'Cache-Control': 'public, max-age=31536000, immutable' }).end(jpeg);
    },
  };

  return {
    url: (origin: string, uuid: string) => ctx.url(origin, `/cdn/dream-machine/${uuid}/image.jpg`),
    publish: (job: Job<ImageInput>) => byUuid.set(job.input.uuid, job),
    route,
  };
}
