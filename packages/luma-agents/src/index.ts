export { createLumaAgentsClient } from './client.js';
export type {
  CallOptions,
  CompletedGeneration,
  DownloadedGeneration,
  DownloadedOutput,
  LumaAgentsClient,
  LumaAgentsClientOptions,
  LumaAgentsExtra,
  WaitOptions,
} from './client.js';
export {
  LumaAgentsError,
  LumaAgentsGenerationFailedError,
  LumaAgentsOutputExpiredError,
  lumaAgentsErrorFromResponse,
} from './luma-agents-error.js';
export type { ErrorRequestInfo } from './luma-agents-error.js';
export { RETRYABLE_STATUSES, TERMINAL_STATES, isTerminalState } from './types.js';
export type {
  AspectRatio,
  DocumentedErrorStatus,
  DocumentedStatus,
  Generation,
  GenerationCreateRequest,
  GenerationFailureCode,
  GenerationOutput,
  GenerationState,
  GenerationType,
  ImageInput,
  LumaAgentsErrorBody,
  Model,
  OutputFormat,
  Style,
  TerminalState,
} from './types.js';
export type { components, operations, paths } from '@imagegen/spec/luma-agents/types';
