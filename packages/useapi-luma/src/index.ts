export { createUseapiLumaClient, imagesFormData } from './client.js';
export type {
  BatchImages,
  BatchJobs,
  BatchOutcome,
  BatchProgress,
  CallOptions,
  DownloadedImage,
  ImageOutcome,
  UploadAssetOptions,
  UseapiLumaClient,
  UseapiLumaClientOptions,
  UseapiLumaExtra,
  WaitForBatchOptions,
} from './client.js';
export { UseapiLumaError, useapiLumaErrorFromResponse } from './useapi-luma-error.js';
export type { ErrorRequestInfo } from './useapi-luma-error.js';
export { encodePathSegment } from './path-segment.js';
export { ASSET_CONTENT_TYPES, TERMINAL_JOB_STATUSES, isTerminalJobStatus } from './types.js';
export type {
  AspectRatio,
  AssetContentType,
  AssetUploaded,
  CompletedImageJob,
  ImageBatchCallback,
  ImageJob,
  ImageMedia,
  ImagesCreated,
  ImagesRequest,
  ImagesRequestEcho,
  JobDeleted,
  JobStatus,
  Model,
  Resolution,
  TerminalJobStatus,
  UseapiLumaDocumentedErrorCode,
  UseapiLumaErrorBody,
} from './types.js';
export type { components, operations, paths } from '@imagegen/spec/useapi-luma/types';
