import { ApiError, unexpectedAnswerMessage } from '@imagegen/client-kit';
import type { ErrorKind } from '@imagegen/client-kit';

/**
 * A non-2xx answer from useapi.net. `message` is the body's `error`; `code` is the body's numeric
 * `code` when it has one (the documented ones are 422 for moderation and 429 for capacity, see
 * `UseapiLumaDocumentedErrorCode`), whatever number it is, else `undefined`.
 */
export class UseapiLumaError extends ApiError<number> {}

/** What the request was, so the error can say whether it may have taken effect. */
export interface ErrorRequestInfo {
  method: string;
}

// The page's own statuses: 422 is a moderation refusal; 596 an account whose Luma session expired,
// refused before anything started (re-adding the account fixes it).
const KIND_BY_STATUS: Partial<Record<number, ErrorKind>> = { 422: 'content_moderated', 596: 'authentication' };

/**
 * Builds a {@link UseapiLumaError} from a response and its already-parsed body. An answer without
 * `error` (a proxy's, the mock's routing hint) keeps its own words in the message.
 */
export function useapiLumaErrorFromResponse(response: Response, body: unknown, request?: ErrorRequestInfo): UseapiLumaError {
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : undefined;
  const code = typeof record?.code === 'number' && Number.isFinite(record.code) ? record.code : undefined;
  const message =
    typeof record?.error === 'string'
      ? record.error
      : response.ok
        ? `useapi.net answered HTTP ${response.status} without a body`
        : unexpectedAnswerMessage('useapi.net', response.status, body, 'an error message');
  const kind = KIND_BY_STATUS[response.status];
  return new UseapiLumaError({
    status: response.status,
    code,
    message,
    body,
    headers: response.headers,
    vendor: 'useapi-luma',
    method: request?.method,
    ...(kind === undefined ? {} : { kind, mayHaveTakenEffect: false }),
  });
}
