import { ApiError, JobFailedError } from '@imagegen/client-kit';
import type { ApiErrorOptions } from '@imagegen/client-kit';

import type { CancelledTask, FailedTask, LumenErrorCode } from './types.js';

/** A non-2xx answer from the Lumen API, carrying the vendor's `error.code` as `code`. */
export class LumenError extends ApiError<LumenErrorCode> {}

/**
 * A task that ended `failed` or `cancelled`. `code` and `message` are the task's `error.code` and
 * `error.message` when it failed; a cancelled task carries no error, so `code` is `undefined`.
 */
export class LumenTaskFailedError extends JobFailedError<FailedTask | CancelledTask> {
  /** The task's `error.code` (e.g. `upstream_error`); `undefined` for a cancelled task. */
  readonly code: string | undefined;
  /** The task's terminal status: `failed` or `cancelled`. */
  readonly taskStatus: (FailedTask | CancelledTask)['status'];

  constructor(task: FailedTask | CancelledTask) {
    const message =
      task.status === 'failed'
        ? task.error.message || `Lumen task ${task.id} failed with ${task.error.code}`
        : `Lumen task ${task.id} was cancelled`;
    super(task, message);
    this.code = task.status === 'failed' ? task.error.code : undefined;
    this.taskStatus = task.status;
  }
}

/**
 * An image URL of a succeeded task answered with a non-2xx status. The URL is on Lumen's image
 * host, not the API, so the body is not a Lumen error envelope and `code` is always `undefined`.
 */
export class LumenDownloadError extends ApiError<never> {
  /** The image URL that failed. */
  readonly url: string;

  constructor(url: string, options: Omit<ApiErrorOptions<never>, 'code'>) {
    super(options);
    this.url = url;
  }
}

/** Builds a {@link LumenError} from a response and its already-parsed body. */
export function lumenErrorFromResponse(response: Response, body: unknown): LumenError {
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  const code = typeof error?.code === 'string' ? (error.code as LumenErrorCode) : undefined;
  const message =
    typeof error?.message === 'string'
      ? error.message
      : `Lumen answered HTTP ${response.status} without an error envelope`;
  return new LumenError({ status: response.status, code, message, body, headers: response.headers });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
