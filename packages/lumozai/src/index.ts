export { createLumozAIClient, outputUrlOf } from './client.js';
export type {
  CallOptions,
  CheckResult,
  DownloadedOutput,
  FinishedRun,
  LumozAIClient,
  LumozAIClientOptions,
  LumozAIExtra,
  RunResult,
  WaitOptions,
} from './client.js';
export { formBody } from './form.js';
export {
  LumozAIError,
  LumozAIRequestFailedError,
  LumozAIValidationError,
  lumozAIErrorFromResponse,
} from './lumozai-error.js';
export type { ErrorRequestInfo, LumozAIErrorOptions } from './lumozai-error.js';
export { RATE_LIMIT_HEADERS, msUntilRateLimitReset, rateLimitFromHeaders } from './rate-limit.js';
export type { RateLimit } from './rate-limit.js';
export { lumozAIRetryPolicy } from './retry-policy.js';
export type { LumozAIRetryPolicy } from './retry-policy.js';
export type {
  CheckCompletedData,
  CheckData,
  CheckFailedData,
  CheckProcessingData,
  CheckRequest,
  CheckResponse,
  FormValue,
  LumozAIErrorBody,
  LumozAIErrorCode,
  RequestId,
  RequestStatus,
  RunAcceptedData,
  RunCompletedData,
  RunFinishedCallback,
  RunParameters,
  RunRequest,
  RunResponse,
  ValidationErrorDetails,
} from './types.js';
export type { components, operations, paths } from '@imagegen/spec/lumozai/types';
