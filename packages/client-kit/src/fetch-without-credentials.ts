import { ClientError, errorKindOfStatus } from './error-kind.js';

// The start of an error body is kept for the message (S3 and GCS explain a refusal in XML there);
// the rest is never read, so a large error page costs nothing.
const ERROR_BODY_LIMIT_BYTES = 1024;

/** Why {@link fetchWithoutCredentials} refused a response. */
export type DownloadErrorReason =
  /** 403: for a presigned URL, usually expired (or its signature does not match). */
  | 'forbidden'
  /** 404: nothing at that URL. */
  | 'not_found'
  /** Any other status outside 200-299. */
  | 'unexpected_status';

/** Constructor options of {@link DownloadError}. */
export interface DownloadErrorOptions {
  /** HTTP status of the refused response. Required. */
  status: number;
  /** The URL that was fetched; only its origin and path are kept. Required. */
  url: string | URL;
  /** The start of the response body. Default: `''`. */
  body?: string;
  /** The response headers (copied). Default: no headers. */
  headers?: HeadersInit;
  /** Default: `GET <origin+path> answered HTTP <status>`, plus the body's start when there is one. */
  message?: string;
  /** The underlying error. Default: none. */
  cause?: unknown;
  /** The vendor's slug. Default: `undefined`. */
  vendor?: string | undefined;
}

/**
 * A download that answered outside 200-299. `url` holds the origin and path only: the query of a
 * presigned URL is its credential, so it is kept out of the error, its message and any log.
 */
export class DownloadError extends ClientError {
  /** HTTP status of the refused response. */
  readonly status: number;
  /** `forbidden` for 403, `not_found` for 404, `unexpected_status` for anything else. */
  readonly reason: DownloadErrorReason;
  /** The fetched URL without its query string and fragment. */
  readonly url: string;
  /** The start of the response body (at most 1 KiB), e.g. the storage host's XML error. */
  readonly body: string;
  /** The response headers. */
  readonly headers: Headers;

  constructor(options: DownloadErrorOptions) {
    const url = redactUrl(options.url);
    const body = options.body ?? '';
    const detail = body.trim() === '' ? '' : `: ${body.trim().slice(0, 200)}`;
    const kind = errorKindOfStatus(options.status);
    super(options.message ?? `GET ${url} answered HTTP ${options.status}${detail}`, {
      kind,
      // A GET changes nothing: worth repeating whenever the failure is the host's, not the URL's.
      retryable: kind === 'rate_limited' || kind === 'upstream',
      vendor: options.vendor,
      ...('cause' in options ? { cause: options.cause } : {}),
    });
    this.status = options.status;
    this.reason = options.status === 403 ? 'forbidden' : options.status === 404 ? 'not_found' : 'unexpected_status';
    this.url = url;
    this.body = body;
    this.headers = new Headers(options.headers);
  }
}

/** Options of {@link fetchWithoutCredentials}. */
export interface FetchWithoutCredentialsOptions {
  /** The fetch to send the request with; tests pass their own. Default: `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch;
  /** Aborts the request. Default: none. */
  signal?: AbortSignal;
}

/**
 * GETs a URL that carries its own authorization, such as a presigned storage URL, and nothing else:
 * a fresh request with no headers, no cookies (`credentials: 'omit'`) and no referrer, so an API
 * key can never reach the storage host, whatever the caller's other requests carry. Resolves with
 * the response when its status is 200-299 (its body unread); otherwise reads the start of the body
 * and throws a {@link DownloadError}. Only `http:` and `https:` URLs are fetched; anything else is
 * a `TypeError` before any request is sent.
 */
export async function fetchWithoutCredentials(
  url: string | URL,
  options: FetchWithoutCredentialsOptions = {},
): Promise<Response> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new TypeError('Not an absolute URL');
  }
  if (target.protocol !== 'https:' && target.protocol !== 'http:') {
    throw new TypeError(`Only http(s) URLs are downloaded, not ${target.protocol} (${redactUrl(target)})`);
  }
  const request = new Request(target, {
    method: 'GET',
    credentials: 'omit',
    referrerPolicy: 'no-referrer',
    signal: options.signal,
  });
  const response = await (options.fetch ?? globalThis.fetch)(request);
  if (response.ok) return response;
  throw new DownloadError({
    status: response.status,
    url: target,
    body: await readStart(response, ERROR_BODY_LIMIT_BYTES),
    headers: response.headers,
  });
}

/** Origin and path: what identifies a file without the credential a presigned URL's query holds. */
function redactUrl(url: string | URL): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '<invalid URL>';
  }
}

/** Up to `limit` bytes of the body as text; the rest is cancelled so the connection is released. */
async function readStart(response: Response, limit: number): Promise<string> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body that fails midway still leaves the status to report.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes.subarray(0, limit));
}
