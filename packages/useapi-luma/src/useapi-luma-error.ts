import { ApiError } from '@imagegen/client-kit';

/**
 * A non-2xx answer from useapi.net. `message` is the body's `error`; `code` is the body's numeric
 * `code` when it has one (the documented ones are 422 for moderation and 429 for capacity, see
 * `UseapiLumaDocumentedErrorCode`), whatever number it is, else `undefined`.
 */
export class UseapiLumaError extends ApiError<number> {}

/** Builds a {@link UseapiLumaError} from a response and its already-parsed body. */
export function useapiLumaErrorFromResponse(response: Response, body: unknown): UseapiLumaError {
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : undefined;
  const code = typeof record?.code === 'number' && Number.isFinite(record.code) ? record.code : undefined;
  const message =
    typeof record?.error === 'string'
      ? record.error
      : response.ok
        ? `useapi.net answered HTTP ${response.status} without a body`
        : `useapi.net answered HTTP ${response.status} without an error message`;
  return new UseapiLumaError({ status: response.status, code, message, body, headers: response.headers });
}
