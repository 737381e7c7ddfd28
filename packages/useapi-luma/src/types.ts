// Names for the spec's schemas, and unions derived from it, so no enum is copied by hand.
import type { components, operations } from '@imagegen/spec/useapi-luma/types';

type Schemas = components['schemas'];
type Responses = components['responses'];

export type ImagesRequest = Schemas['ImagesRequest'];
export type ImagesRequestEcho = Schemas['ImagesRequestEcho'];
export type ImagesCreated = Schemas['ImagesCreated'];
export type ImageJob = Schemas['ImageJob'];
export type ImageMedia = Schemas['ImageMedia'];
export type ImageBatchCallback = Schemas['ImageBatchCallback'];
export type JobDeleted = Schemas['JobDeleted'];
export type AssetUploaded = Schemas['AssetUploaded'];
export type JobStatus = Schemas['JobStatus'];
export type Model = Schemas['Model'];
export type Resolution = Schemas['Resolution'];
export type AspectRatio = Schemas['AspectRatio'];

/** The JSON body of every documented error response. */
export type UseapiLumaErrorBody = {
  [K in keyof Responses]: Responses[K]['content'] extends { 'application/json': infer B } ? B : never;
}[keyof Responses];

/** The numeric `code` the documented error bodies carry (the moderation 422 and the capacity 429). */
export type UseapiLumaDocumentedErrorCode = Extract<UseapiLumaErrorBody, { code: unknown }>['code'];

/** The image types `POST /assets/{email}` takes, read off its request body. */
export type AssetContentType = keyof operations['uploadAsset']['requestBody']['content'];

/**
 * Runtime copy of {@link AssetContentType}. `satisfies` rejects a type the spec does not list, and
 * `test/types.test-d.ts` fails when the spec adds one that is missing here.
 */
export const ASSET_CONTENT_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const satisfies readonly AssetContentType[];

/** Statuses after which a job never changes. */
export const TERMINAL_JOB_STATUSES = ['completed', 'failed'] as const satisfies readonly JobStatus[];
export type TerminalJobStatus = (typeof TERMINAL_JOB_STATUSES)[number];

export function isTerminalJobStatus(status: JobStatus): status is TerminalJobStatus {
  return (TERMINAL_JOB_STATUSES as readonly JobStatus[]).includes(status);
}

/** An image job that finished with `status: "completed"` and its image URL. */
export type CompletedImageJob = ImageJob & {
  status: 'completed';
  response: NonNullable<ImageJob['response']>;
};
