import { ApiError, JobFailedError, unexpectedAnswerMessage } from '@imagegen/client-kit';
import type { ApiErrorOptions } from '@imagegen/client-kit';

import { rateLimitFromHeaders } from './rate-limit.js';
import type { RateLimit } from './rate-limit.js';
import type { CheckFailedData, LumozAIErrorCode, ValidationErrorDetails } from './types.js';

/** Constructor options of {@link LumozAIError}. */
export interface LumozAIErrorOptions extends ApiErrorOptions<LumozAIErrorCode> {
  /** `error.details` as the API sent it. Default: `undefined`. */
  details?: unknown;
}

/**
 * An answer with `success: false` (or none at all), carrying the vendor's `error.code` as `code`.
 * HTTP 200 is possible: LumozAI reports some failures in the body.
 */
export class LumozAIError extends ApiError<LumozAIErrorCode> {
  /** `error.details` as the API sent it; typed on {@link LumozAIValidationError}. */
  readonly details: unknown;
  /** The rate-limit headers of the answer, when it carried all three. */
  readonly rateLimit: RateLimit | undefined;

  constructor(options: LumozAIErrorOptions) {
    super(options);
    this.details = options.details;
    this.rateLimit = rateLimitFromHeaders(this.headers);
  }
}

/** A `422 validation_error`; `details` maps each invalid field to its messages. */
export class LumozAIValidationError extends LumozAIError {
  declare readonly code: 'validation_error';
  declare readonly details: ValidationErrorDetails;
}

/** A run that ended in `status: "failed"` (answered with HTTP 200); `job.error` says why. */
export class LumozAIRequestFailedError extends JobFailedError<CheckFailedData> {
  /** The failed run's id. */
  get requestId(): number {
    return this.job.request_id;
  }
}

/** What the request was, so the error can say whether it may have taken effect. */
export interface ErrorRequestInfo {
  /** `GET` for `POST /check`, which only reads. */
  method: string;
}

/**
 * Builds the error for an answer that is not `success: true`, from the response and its parsed
 * body: {@link LumozAIRequestFailedError} for a failed run, {@link LumozAIValidationError} for a
 * `validation_error` with field details, otherwise {@link LumozAIError}.
 */
export function lumozAIErrorFromResponse(
  response: Response,
  body: unknown,
  request?: ErrorRequestInfo,
): LumozAIError | LumozAIRequestFailedError {
  if (isRecord(body) && body.success === false && isFailedRun(body.data)) {
    return new LumozAIRequestFailedError(body.data, body.data.error, { vendor: 'lumozai' });
  }
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  const code = typeof error?.code === 'string' ? (error.code as LumozAIErrorCode) : undefined;
  const message =
    typeof error?.message === 'string'
      ? error.message
      : unexpectedAnswerMessage('LumozAI', response.status, body, 'success: true or an error envelope');
  const options: LumozAIErrorOptions = {
    status: response.status,
    code,
    message,
    body,
    headers: response.headers,
    details: error?.details,
    vendor: 'lumozai',
    method: request?.method,
  };
  return code === 'validation_error' && isDetailsMap(error?.details)
    ? new LumozAIValidationError(options)
    : new LumozAIError(options);
}

function isFailedRun(data: unknown): data is CheckFailedData {
  return isRecord(data) && data.status === 'failed' && typeof data.request_id === 'number' && typeof data.error === 'string';
}

function isDetailsMap(details: unknown): details is ValidationErrorDetails {
  return (
    isRecord(details) &&
    Object.values(details).every((messages) => Array.isArray(messages) && messages.every((m) => typeof m === 'string'))
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
