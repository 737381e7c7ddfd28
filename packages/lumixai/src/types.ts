// Names for the spec's schemas, and unions derived from it, so no enum is copied by hand.
import type { components, paths } from '@imagegen/spec/lumixai/types';

type Schemas = components['schemas'];
type Responses = components['responses'];

export type ImageGenerationRequest = Schemas['ImageGenerationRequest'];
export type ImageReference = Schemas['ImageReference'];
export type ImageJobCreateResponse = Schemas['ImageJobCreateResponse'];
export type ImageJob = Schemas['ImageJobStatusResponse'];
export type ImageGenerationResponse = Schemas['ImageGenerationResponse'];
export type ImageResult = Schemas['ImageResult'];
export type Model = Schemas['Model'];
export type ModelList = Schemas['ModelList'];
export type JobStatus = Schemas['JobStatus'];
export type AspectRatio = Schemas['AspectRatio'];
export type Resolution = Schemas['Resolution'];

/** The JSON body of every documented error response. */
export type LumixAIErrorBody = {
  [K in keyof Responses]: Responses[K]['content'] extends { 'application/json': infer B } ? B : never;
}[keyof Responses];

/** Every `error.type` the spec documents (validation_error, rate_limit_error, ...). */
export type LumixAIErrorType = LumixAIErrorBody['error']['type'];

/** Paths whose POST accepts an `Idempotency-Key` header, read off the generated types. */
export type IdempotentPostPath = {
  [P in keyof paths]: paths[P]['post'] extends { parameters: { header?: infer H } }
    ? 'Idempotency-Key' extends keyof NonNullable<H>
      ? P
      : never
    : never;
}[keyof paths];

/**
 * Runtime copy of {@link IdempotentPostPath}. `satisfies` rejects a path the spec does not give the
 * header, and `test/types.test-d.ts` fails when the spec adds one that is missing here.
 */
export const IDEMPOTENT_POST_PATHS = [
  '/v1/images/jobs',
  '/v1/images/generations',
] as const satisfies readonly IdempotentPostPath[];

/** Statuses after which a job never changes. */
export const TERMINAL_JOB_STATUSES = ['done', 'error'] as const satisfies readonly JobStatus[];
export type TerminalJobStatus = (typeof TERMINAL_JOB_STATUSES)[number];

export function isTerminalJobStatus(status: JobStatus): status is TerminalJobStatus {
  return (TERMINAL_JOB_STATUSES as readonly JobStatus[]).includes(status);
}
