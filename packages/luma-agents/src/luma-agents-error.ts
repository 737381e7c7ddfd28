import { ApiError, DownloadError, JobFailedError, unexpectedAnswerMessage } from '@imagegen/client-kit';
import type { ApiErrorOptions, DownloadErrorOptions } from '@imagegen/client-kit';

import type { Generation, GenerationFailureCode } from './types.js';

/**
 * A non-2xx answer from the Luma Agents API. Luma's errors carry no machine-readable code: branch on
 * `status` (as its guide says), read `detail` for the specifics. `code` is therefore always
 * `undefined`.
 */
export class LumaAgentsError extends ApiError<never> {
  /** The body's `detail`, when it had one. */
  readonly detail: string | undefined;

  constructor(options: ApiErrorOptions<never> & { detail?: string | undefined }) {
    super(options);
    this.detail = options.detail;
  }
}

/** What the request was, so the error can say whether it may have taken effect. */
export interface ErrorRequestInfo {
  method: string;
}

/**
 * Builds a {@link LumaAgentsError} from a response and its already-parsed body. An answer without
 * `detail` (a proxy's, the mock's routing hint) keeps its own words in the message.
 */
export function lumaAgentsErrorFromResponse(response: Response, body: unknown, request?: ErrorRequestInfo): LumaAgentsError {
  const detail = detailOf(body);
  return new LumaAgentsError({
    status: response.status,
    message: detail ?? unexpectedAnswerMessage('Luma Agents', response.status, body, 'a detail'),
    detail,
    body,
    headers: response.headers,
    vendor: 'luma-agents',
    method: request?.method,
  });
}

/**
 * `detail` is a string in Luma's own errors; a framework's validation error may instead list
 * `{ loc, msg }` entries, which are joined so the message still says what was wrong.
 */
function detailOf(body: unknown): string | undefined {
  const detail = isRecord(body) ? body.detail : undefined;
  if (typeof detail === 'string') return detail;
  if (!Array.isArray(detail)) return undefined;
  const messages = detail.flatMap((entry) => {
    if (!isRecord(entry) || typeof entry.msg !== 'string') return [];
    const where = Array.isArray(entry.loc) ? entry.loc.join('.') : '';
    return [where === '' ? entry.msg : `${where}: ${entry.msg}`];
  });
  return messages.length > 0 ? messages.join('; ') : undefined;
}

/**
 * A generation that ended `failed`, or `completed` without any output. `failureCode` and
 * `failureReason` are the generation's `failure_code` and `failure_reason` (`undefined` when it
 * carried none).
 */
export class LumaAgentsGenerationFailedError extends JobFailedError<Generation> {
  /** Machine-readable failure code, e.g. `content_moderated`. */
  readonly failureCode: GenerationFailureCode | undefined;
  /** Human-readable failure description. */
  readonly failureReason: string | undefined;

  /** @param handle - The generation's serialised job handle, when it is known. */
  constructor(generation: Generation, message?: string, handle?: string) {
    const failureCode = generation.failure_code ?? undefined;
    const failureReason = generation.failure_reason ?? undefined;
    super(
      generation,
      message ?? `Luma Agents generation ${generation.id} failed (${failureCode ?? 'no failure_code'}): ${failureReason ?? 'no failure_reason'}`,
      {
        vendor: 'luma-agents',
        vendorCode: failureCode,
        kind: failureCode === 'content_moderated' ? 'content_moderated' : 'job_failed',
        // A generation that failed for a passing reason may succeed when submitted again.
        retryable: failureCode === 'rate_limited' || failureCode === 'generation_failed',
        handle,
      },
    );
    this.failureCode = failureCode;
    this.failureReason = failureReason;
  }
}

/**
 * An output URL answered 403: presigned URLs expire an hour after a poll hands them out. Poll the
 * generation again (`getGeneration`) for a fresh URL; `downloadOutputs` and `generateAndDownload`
 * do so once by themselves.
 */
export class LumaAgentsOutputExpiredError extends DownloadError {
  /** The generation whose output expired. */
  readonly generationId: string | undefined;

  constructor(options: DownloadErrorOptions & { generationId?: string | undefined }) {
    super({
      ...options,
      message:
        options.message ??
        `Luma Agents output URL was refused (HTTP ${options.status}): it has expired (or its signature is wrong); poll the generation again for a fresh URL`,
    });
    this.generationId = options.generationId;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
