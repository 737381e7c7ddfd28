import { ApiError, JobFailedError } from '@imagegen/client-kit';

import type { ImageJob, LumixAIErrorType } from './types.js';

/** A non-2xx answer from LumixAI, carrying the vendor's `error.type` as `code`. */
export class LumixAIError extends ApiError<LumixAIErrorType> {}

/** A job that reached `status: "error"`; `job.error` holds the vendor's message. */
export class LumixAIJobFailedError extends JobFailedError<ImageJob> {}

/** Builds a {@link LumixAIError} from a response and its already-parsed body. */
export function lumixAIErrorFromResponse(response: Response, body: unknown): LumixAIError {
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  const code = typeof error?.type === 'string' ? (error.type as LumixAIErrorType) : undefined;
  const message =
    typeof error?.message === 'string'
      ? error.message
      : `LumixAI answered HTTP ${response.status} without an error envelope`;
  return new LumixAIError({ status: response.status, code, message, body, headers: response.headers });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
