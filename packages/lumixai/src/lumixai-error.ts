import { ApiError, JobFailedError, unexpectedAnswerMessage } from '@imagegen/client-kit';

import type { ImageJob, LumixAIErrorType } from './types.js';

/** A non-2xx answer from LumixAI, carrying the vendor's `error.type` as `code`. */
export class LumixAIError extends ApiError<LumixAIErrorType> {}

/** A job that reached `status: "error"`; `job.error` holds the vendor's message. */
export class LumixAIJobFailedError extends JobFailedError<ImageJob> {}

/** What the request was, so the error can say whether it may have taken effect. */
export interface ErrorRequestInfo {
  method: string;
  /** It carried an Idempotency-Key. */
  idempotent?: boolean;
}

/**
 * Builds a {@link LumixAIError} from a response and its already-parsed body. An answer outside the
 * documented envelope (a proxy's, the mock's routing hint) keeps its own words in the message.
 */
export function lumixAIErrorFromResponse(response: Response, body: unknown, request?: ErrorRequestInfo): LumixAIError {
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  const code = typeof error?.type === 'string' ? (error.type as LumixAIErrorType) : undefined;
  const message =
    typeof error?.message === 'string'
      ? error.message
      : unexpectedAnswerMessage('LumixAI', response.status, body, 'an error envelope');
  return new LumixAIError({
    status: response.status,
    code,
    message,
    body,
    headers: response.headers,
    vendor: 'lumixai',
    method: request?.method,
    idempotent: request?.idempotent,
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
