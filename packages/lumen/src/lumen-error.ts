import { ApiError, DownloadError, JobFailedError, unexpectedAnswerMessage } from '@imagegen/client-kit';
import type { DownloadErrorOptions } from '@imagegen/client-kit';

import type { CancelledTask, FailedTask, LumenErrorCode } from './types.js';

/** A non-2xx answer from the Lumen API, carrying the vendor's `error.code` as `code`. */
export class LumenError extends ApiError<LumenErrorCode> {}

// Lumen's own words for a failure its upstream caused: the credits come back, and a new task may succeed.
const UPSTREAM_CODES = new Set(['upstream_error', 'upstream_rate_limited']);

/**
 * A task that ended `failed` or `cancelled`. `code` and `message` are the task's `error.code` and
 * `error.message` when it failed; a cancelled task carries no error, so `code` is `undefined`.
 */
export class LumenTaskFailedError extends JobFailedError<FailedTask | CancelledTask> {
  /** The task's `error.code` (e.g. `upstream_error`); `undefined` for a cancelled task. */
  readonly code: string | undefined;
  /** The task's terminal status: `failed` or `cancelled`. */
  readonly taskStatus: (FailedTask | CancelledTask)['status'];

  /** @param handle - The task's serialised job handle, when it is known. */
  constructor(task: FailedTask | CancelledTask, handle?: string) {
    const message =
      task.status === 'failed'
        ? task.error.message || `Lumen task ${task.id} failed with ${task.error.code}`
        : `Lumen task ${task.id} was cancelled`;
    const code = task.status === 'failed' ? task.error.code : undefined;
    super(task, message, {
      vendor: 'lumen',
      vendorCode: code,
      kind: code !== undefined && /moderat/i.test(code) ? 'content_moderated' : 'job_failed',
      retryable: code !== undefined && UPSTREAM_CODES.has(code),
      handle,
    });
    this.code = code;
    this.taskStatus = task.status;
  }
}

/**
 * An image URL of a succeeded task answered with a non-2xx status. The URL is on Lumen's image
 * host, not the API, so the body is not a Lumen error envelope. `url` keeps origin and path only.
 */
export class LumenDownloadError extends DownloadError {
  constructor(options: DownloadErrorOptions) {
    super(options);
  }
}

/** What the request was, so the error can say whether it may have taken effect. */
export interface ErrorRequestInfo {
  method: string;
}

/**
 * Builds a {@link LumenError} from a response and its already-parsed body. An answer outside the
 * documented envelope (a proxy's, the mock's routing hint) keeps its own words in the message.
 */
export function lumenErrorFromResponse(response: Response, body: unknown, request?: ErrorRequestInfo): LumenError {
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  const code = typeof error?.code === 'string' ? (error.code as LumenErrorCode) : undefined;
  const message =
    typeof error?.message === 'string'
      ? error.message
      : unexpectedAnswerMessage('Lumen', response.status, body, 'an error envelope');
  return new LumenError({ status: response.status, code, message, body, headers: response.headers, vendor: 'lumen', method: request?.method });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
