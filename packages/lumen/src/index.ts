export { createLumenClient } from './client.js';
export type {
  CallOptions,
  DownloadedImage,
  LumenClient,
  LumenClientOptions,
  LumenExtra,
  RunOptions,
  TaskImages,
  WaitOptions,
} from './client.js';
export { LumenDownloadError, LumenError, LumenTaskFailedError, lumenErrorFromResponse } from './lumen-error.js';
export type { ErrorRequestInfo } from './lumen-error.js';
export { TASK_STATUSES, TERMINAL_TASK_STATUSES, isTerminalTask } from './types.js';
export type {
  CancelledTask,
  EditRequest,
  FailedTask,
  GenerationRequest,
  ImageResult,
  InpaintRequest,
  LumenErrorBody,
  LumenErrorCode,
  LumenWebhookPayload,
  PendingTask,
  Resolution,
  SucceededTask,
  Task,
  TaskCreated,
  TaskError,
  TaskStatus,
  TerminalTask,
  TerminalTaskStatus,
  WithReferenceImage,
  WithWebhookRule,
} from './types.js';
export type { components, operations, paths } from '@imagegen/spec/lumen/types';
export {
  LUMEN_SIGNATURE_FORMAT,
  LUMEN_SIGNATURE_HEADER,
  LUMEN_TIMESTAMP_HEADER,
  LumenWebhookError,
  verifyLumenWebhook,
} from './webhook.js';
export type { LumenWebhookErrorReason, VerifyLumenWebhookOptions, WebhookHeaders } from './webhook.js';
