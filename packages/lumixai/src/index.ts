export { createLumixAIClient, resultIdFromDownloadUrl } from './client.js';
export type {
  CallOptions,
  CreateOptions,
  DoneImageJob,
  DownloadedImage,
  LumixAIClient,
  LumixAIClientOptions,
  LumixAIExtra,
  WaitOptions,
} from './client.js';
export { LumixAIError, LumixAIJobFailedError, lumixAIErrorFromResponse } from './lumixai-error.js';
export type { ErrorRequestInfo } from './lumixai-error.js';
export { IDEMPOTENT_POST_PATHS, TERMINAL_JOB_STATUSES, isTerminalJobStatus } from './types.js';
export type {
  AspectRatio,
  IdempotentPostPath,
  ImageGenerationRequest,
  ImageGenerationResponse,
  ImageJob,
  ImageJobCreateResponse,
  ImageReference,
  ImageResult,
  JobStatus,
  LumixAIErrorBody,
  LumixAIErrorType,
  Model,
  ModelList,
  Resolution,
  TerminalJobStatus,
} from './types.js';
export type { components, operations, paths } from '@imagegen/spec/lumixai/types';
